using Microsoft.Extensions.Logging;
using UsageBatch.Storage;

namespace UsageBatch.Billing;

/// <summary>
/// Renews a run's lease every fifth of its duration while the run lives. If the store refuses (another run has
/// declared this one dead and adopted its work), it cancels <c>leaseLost</c> so the run stops touching anything.
/// </summary>
internal sealed class LeaseRenewal : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LeaseRenewal(IBillingStore store, long runId, string job, TimeSpan leaseDuration, TimeProvider time, ILogger logger, CancellationTokenSource leaseLost)
    {
        _loop = Task.Run(async () =>
        {
            var period = leaseDuration / 5;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(period, time, _stop.Token);
                    if (!await store.RenewLeaseAsync(runId, job, leaseDuration, _stop.Token))
                    {
                        logger.LogError("The run could not renew its lease: it was declared dead");
                        await leaseLost.CancelAsync();
                        return;
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A transient database error: keep trying; the lease has four more periods of slack.
                    logger.LogWarning(ex, "The run failed to renew its lease; retrying");
                }
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            // The loop ends at its next await once cancelled; bounded so a hung store call cannot hold the run's exit.
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // A renewal still in flight: it only extends a lease the run is about to finish anyway. Its token source
            // stays undisposed so the loop can still observe it.
            return;
        }

        _stop.Dispose();
    }
}
