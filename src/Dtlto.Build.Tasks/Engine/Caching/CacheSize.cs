using System;
using System.Globalization;

namespace Dtlto.Build.Engine.Caching;

/// <summary>Sizes as users write them for DtltoCacheMaxSize and --cache-max-size: bytes, or a number with K, M, G or T (powers of 1024).</summary>
public static class CacheSize
{
    /// <summary>The size in bytes; throws <see cref="FormatException"/> with a message for anything else.</summary>
    public static long Parse(string text)
    {
        string trimmed = text.Trim();
        string number = trimmed.TrimEnd('B', 'b', 'i');
        int shift = 0;
        if (number.Length > 0)
        {
            shift = char.ToUpperInvariant(number[number.Length - 1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
            if (shift > 0)
                number = number.Substring(0, number.Length - 1);
        }

        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value * Math.Pow(2, shift) > long.MaxValue)
            throw new FormatException($"'{text}' is not a size (e.g. 10G, 500M or a number of bytes)");
        return (long)(value * Math.Pow(2, shift));
    }

    public static string Format(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.#} GiB" : bytes >= 1L << 20 ? $"{bytes / (double)(1L << 20):0.#} MiB" : $"{bytes / 1024.0:0.#} KiB";
}
