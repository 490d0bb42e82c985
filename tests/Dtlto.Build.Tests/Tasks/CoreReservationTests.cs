using System;
using System.Collections.Generic;
using System.Reflection;
using Dtlto.Build.Tasks;
using Microsoft.Build.Framework;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Tasks;

[TestClass]
public sealed class CoreReservationTests
{
    /// <summary>A build engine that implements only resource management, as a test double.</summary>
    public class ResourceEngine : DispatchProxy
    {
        public Func<int, int> Grant { get; set; } = wanted => wanted;

        public List<string> Calls { get; } = new();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            Calls.Add($"{targetMethod!.Name}({string.Join(",", args ?? Array.Empty<object?>())})");
            return targetMethod.Name switch
            {
                nameof(IBuildEngine9.RequestCores) => Grant((int)args![0]!),
                nameof(IBuildEngine9.ReleaseCores) => null,
                _ => throw new NotSupportedException(targetMethod.Name),
            };
        }
    }

    private static (IBuildEngine9 Engine, ResourceEngine Proxy) Engine(Func<int, int> grant)
    {
        IBuildEngine9 engine = DispatchProxy.Create<IBuildEngine9, ResourceEngine>();
        var proxy = (ResourceEngine)(object)engine;
        proxy.Grant = grant;
        return (engine, proxy);
    }

    [TestMethod]
    public void UsesWhatMSBuildGrantsAndGivesItBack()
    {
        (IBuildEngine9 engine, ResourceEngine proxy) = Engine(_ => 3);

        using (CoreReservation reservation = CoreReservation.Request(engine, 40))
            Assert.AreEqual(3, reservation.Cores);

        CollectionAssert.AreEqual(new[] { "RequestCores(40)", "ReleaseCores(3)" }, proxy.Calls);
    }

    [TestMethod]
    public void FallsBackToTheProcessorCountWhereTheHostHasNoResourceManagement()
    {
        (IBuildEngine9 engine, _) = Engine(_ => throw new NotImplementedException());

        using CoreReservation reservation = CoreReservation.Request(engine, 1000);

        Assert.AreEqual(Environment.ProcessorCount, reservation.Cores);
    }

    [TestMethod]
    public void NeverAsksForMoreThanTheWork()
    {
        (IBuildEngine9 engine, ResourceEngine proxy) = Engine(wanted => wanted);

        using CoreReservation reservation = CoreReservation.Request(engine, 2);

        Assert.AreEqual("RequestCores(2)", proxy.Calls[0]);
        Assert.AreEqual(2, reservation.Cores);
    }
}
