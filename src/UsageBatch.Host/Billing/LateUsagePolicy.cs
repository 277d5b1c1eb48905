namespace UsageBatch.Billing;

/// <summary>
/// What a job does with a group whose usage date falls in a term the provider has already invoiced for good (jobs.json
/// <c>lateUsage</c>). Usage dated when the subscription was not active is always held, whatever this says.
/// </summary>
internal enum LateUsagePolicy
{
    /// <summary><c>hold</c> (the default): held with a reason naming the term and invoice; a person decides.</summary>
    Hold,

    /// <summary><c>currentTerm</c>: sent at once, re-dated into the subscription's current term.</summary>
    CurrentTerm,

    /// <summary><c>send</c>: sent as dated (the operator accepts that the provider will not invoice it); the report flags it.</summary>
    Send,
}

/// <summary>The jobs.json spelling of each policy, in one place.</summary>
internal static class LateUsagePolicies
{
    public static readonly IReadOnlyDictionary<string, LateUsagePolicy> ByName = new Dictionary<string, LateUsagePolicy>(StringComparer.Ordinal)
    {
        ["hold"] = LateUsagePolicy.Hold,
        ["currentTerm"] = LateUsagePolicy.CurrentTerm,
        ["send"] = LateUsagePolicy.Send,
    };

    public static string Names => string.Join(", ", ByName.Keys);
}
