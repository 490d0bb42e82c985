using System;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using ProtocolStatus = Dtlto.Build.Engine.Remote.Protocol.Status;

namespace Dtlto.Build.Tests.Remote;

/// <summary>The adaptive in-flight limit and the server's requested retry delay, on their own.</summary>
[TestClass]
public sealed class InFlightLimitTests
{
    [TestMethod]
    public void ABurstOfRefusalsUnderOneLimitHalvesItOnce()
    {
        var limit = new InFlightLimit(200);
        long generation = limit.Generation;

        for (int i = 0; i < 150; i++)
            limit.PushedBack(generation);

        Assert.AreEqual(100, limit.Current);
        Assert.AreEqual(150, limit.PushBacks);
        limit.PushedBack(limit.Generation);
        Assert.AreEqual(50, limit.Current, "a refusal under the new limit halves it again");
        Assert.AreEqual(50, limit.Lowest);
    }

    [TestMethod]
    public void TheLimitNeverFallsBelowOneAndRisesByAboutOnePerLimitOfCompletions()
    {
        var limit = new InFlightLimit(8);
        for (int i = 0; i < 10; i++)
            limit.PushedBack(limit.Generation);
        Assert.AreEqual(1, limit.Current);

        // Additive increase: 1/limit per completed action.
        for (int i = 0; i < 3; i++)
        {
            limit.AcquireAsync(CancellationToken.None).Wait();
            limit.Release(completed: true);
        }

        Assert.AreEqual(2, limit.Current, "1 + 1/1 + 1/2 + 1/2.5 is 2.9: two places");
        for (int i = 0; i < 100; i++)
        {
            limit.AcquireAsync(CancellationToken.None).Wait();
            limit.Release(completed: true);
        }

        Assert.AreEqual(8, limit.Current, "never above the maximum");
    }

    [TestMethod]
    public async Task WaitersAreServedInOrderAsPlacesFreeAndACancelledWaiterGivesUpItsTurn()
    {
        var limit = new InFlightLimit(1);
        await limit.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        Task<long> cancelled = limit.AcquireAsync(cancel.Token);
        Task<long> second = limit.AcquireAsync(CancellationToken.None);
        Assert.AreEqual(2, limit.Waiting);

        cancel.Cancel();
        await Assert.ThrowsExactlyAsync<TaskCanceledException>(() => cancelled);
        Assert.IsFalse(second.IsCompleted);
        limit.Release(completed: false);

        await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.AreEqual(1, limit.InFlight);
        Assert.AreEqual(0, limit.Waiting);
    }

    [TestMethod]
    public void AHalvedLimitAdmitsNoMoreUntilEnoughPlacesAreGivenBack()
    {
        var limit = new InFlightLimit(4);
        for (int i = 0; i < 4; i++)
            Assert.IsTrue(limit.AcquireAsync(CancellationToken.None).IsCompleted);
        limit.PushedBack(limit.Generation);
        Task<long> next = limit.AcquireAsync(CancellationToken.None);

        limit.Release(completed: false);
        limit.Release(completed: false);
        Assert.IsFalse(next.IsCompleted, "two still in flight under a limit of two");
        limit.Release(completed: false);

        Assert.IsTrue(next.IsCompleted);
    }

    [TestMethod]
    public void TheRetryDelayOfARetryInfoInTheStatusDetailsIsRead()
    {
        var status = new ProtocolStatus { Code = (int)StatusCode.ResourceExhausted, Message = "busy" };
        status.Details.Add(Any.Pack(new Dtlto.Build.Engine.Remote.Protocol.RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(3)) }));
        var trailers = new Metadata { { "grpc-status-details-bin", status.ToByteArray() } };

        Assert.AreEqual(TimeSpan.FromSeconds(3), RemoteRetry.RequestedDelay(new RpcException(new Status(StatusCode.ResourceExhausted, "busy"), trailers)));
        Assert.IsNull(RemoteRetry.RequestedDelay(new RpcException(new Status(StatusCode.ResourceExhausted, "busy"))), "none sent");
        var garbage = new Metadata { { "grpc-status-details-bin", new byte[] { 0xFF, 0xFF, 0xFF } } };
        Assert.IsNull(RemoteRetry.RequestedDelay(new RpcException(new Status(StatusCode.ResourceExhausted, "busy"), garbage)), "unreadable details are ignored");
    }
}
