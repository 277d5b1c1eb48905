using UsageBatch.Providers.Http;

namespace UsageBatch.Providers.Pacing;

/// <summary>
/// The settled answer to one logical request: the last reply, what it means when it is not a 2xx
/// (<see cref="Failure"/> null means success, parse <see cref="Reply"/>), and the attempts it took
/// (throttled answers excluded: they prove nothing was recorded).
/// </summary>
internal sealed record CallResult(ProviderReply Reply, ProviderOutcome? Failure, int Attempts);
