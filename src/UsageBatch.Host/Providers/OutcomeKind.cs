namespace UsageBatch.Providers;

/// <summary>What one provider call means for the submission.</summary>
internal enum OutcomeKind
{
    /// <summary>2xx with an id: the provider recorded the usage.</summary>
    Confirmed,

    /// <summary>The provider refused this group's data (unknown item, inactive subscription, bad value): rows are rejected.</summary>
    Permanent,

    /// <summary>429: the whole account pauses, then retries; no row changes.</summary>
    Throttled,

    /// <summary>5xx, timeout, connection reset after the request was written: the usage may or may not exist.</summary>
    Unknown,

    /// <summary>Refused before the request was written (connection refused, DNS): safe to send again.</summary>
    NotSent,

    /// <summary>Auth or configuration is wrong: the run aborts and rejects nothing.</summary>
    Fatal,

    /// <summary>Chargebee: another usage already has this (subscription, item price, usage_date); move the date and retry.</summary>
    DateClash,

    /// <summary>Chargebee: our usage id exists with different data; the submission is held for review.</summary>
    Conflict,

    /// <summary>A look-up found no usage: safe to send again.</summary>
    NotFound,

    /// <summary>Whop: a look-up found several candidate usages; the submission is held for review.</summary>
    Ambiguous,

    /// <summary>
    /// The run was asked to stop while this submission waited for a rate-limit slot, a lock-out or a back-off (a
    /// safe point): the attempt was never written and nothing is in flight. Every earlier attempt of this call was
    /// provably not recorded either (a provider turns a stop after an unknown attempt into <see cref="Unknown"/>).
    /// </summary>
    Stopped,
}
