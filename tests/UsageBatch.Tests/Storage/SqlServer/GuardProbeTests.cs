using System.Data;
using UsageBatch.Storage.SqlServer;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>
/// A failed renewal of the run guard loses it only when its session is gone or SQL Server says the session no longer
/// holds the lock: a timeout on a live session keeps the guard (and its lock) for the next renewal.
/// </summary>
public sealed class GuardProbeTests
{
    [Theory]
    [InlineData("Exclusive", "Held")]
    [InlineData("NoLock", "Lost")]
    [InlineData(null, "Lost")]
    public void TheRenewalsAnswer_SaysWhetherTheLockIsStillHeld(string? mode, string expected) =>
        Assert.Equal(expected, GuardProbe.FromMode(mode).ToString());

    [Fact]
    public async Task ATimeoutOnALiveSession_KeepsTheGuard()
    {
        var connection = new StateConnection(ConnectionState.Open);
        var state = await GuardProbe.AfterFailedRenewalAsync(connection, _ => Task.FromResult<string?>("Exclusive"));
        Assert.Equal(GuardState.Held, state);
    }

    [Fact]
    public async Task ASessionThatNoLongerHoldsTheLock_LosesTheGuard()
    {
        var connection = new StateConnection(ConnectionState.Open);
        var state = await GuardProbe.AfterFailedRenewalAsync(connection, _ => Task.FromResult<string?>("NoLock"));
        Assert.Equal(GuardState.Lost, state);
    }

    [Theory]
    [InlineData(ConnectionState.Closed)]
    [InlineData(ConnectionState.Broken)]
    public async Task AConnectionThatIsGone_LosesTheGuardWithoutAsking(ConnectionState gone)
    {
        var asked = false;
        var state = await GuardProbe.AfterFailedRenewalAsync(new StateConnection(gone), _ =>
        {
            asked = true;
            return Task.FromResult<string?>("Exclusive");
        });

        Assert.Equal(GuardState.Lost, state);
        Assert.False(asked);
    }

    [Fact]
    public async Task AProbeThatTimesOutOnALiveSession_IsUnknownNotLost()
    {
        var connection = new StateConnection(ConnectionState.Open);
        var state = await GuardProbe.AfterFailedRenewalAsync(connection, _ => throw SqlExceptions.WithNumber(-2, "Execution Timeout Expired"));
        Assert.Equal(GuardState.Unknown, state);
    }

    [Fact]
    public async Task AProbeThatEndsTheSession_IsLost()
    {
        var connection = new StateConnection(ConnectionState.Open);
        var state = await GuardProbe.AfterFailedRenewalAsync(connection, _ =>
        {
            connection.Current = ConnectionState.Closed; // what SqlClient does on a fatal error
            throw SqlExceptions.WithNumber(10054, "An existing connection was forcibly closed by the remote host");
        });

        Assert.Equal(GuardState.Lost, state);
    }

    private sealed class StateConnection(ConnectionState state) : FakeDbConnection
    {
        public ConnectionState Current { get; set; } = state;

        public override ConnectionState State => Current;
    }
}
