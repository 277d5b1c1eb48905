using System.Globalization;

namespace UsageBatch.Storage;

/// <summary>
/// The run is no longer 'running' in the database, or a ledger row it was preparing is no longer its own: a
/// recovering run declared it dead (its lease lapsed: slow renewals, a paused VM) and has taken its work over.
/// Thrown inside the claim's transaction, so what that transaction claimed is rolled back; the run stops
/// without touching anything more.
/// </summary>
internal sealed class LeaseLostException(string message) : Exception(message)
{
    public static LeaseLostException ForRun(long runId) =>
        new(string.Create(CultureInfo.InvariantCulture, $"run {runId} is no longer running: another run declared it dead and recovered its work"));

    public static void ThrowUnlessOne(int changed, long runId, long submissionId)
    {
        if (changed != 1)
        {
            throw new LeaseLostException(string.Create(CultureInfo.InvariantCulture,
                $"submission {submissionId} is no longer run {runId}'s to prepare: another run declared run {runId} dead and recovered it"));
        }
    }
}
