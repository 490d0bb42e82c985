#pragma once
#include <memory>
#include <string>
#include <vector>
#include "geometry.h"

std::string report(const std::vector<std::unique_ptr<geometry::Shape>> &shapes);
