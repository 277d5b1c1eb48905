namespace UsageBatch.Reports;

/// <summary>A Chargebee subscription nearing its lifetime usage cap: confirmed usages from our ledger vs the limits.</summary>
internal sealed record CapLine(string SubscriptionId, int Usages, int CapWarnAt, int UsageCap)
{
    public int Headroom => Math.Max(0, UsageCap - Usages);

    public string Level => Usages >= UsageCap ? "at cap" : "warning";
}
