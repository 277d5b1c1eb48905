using System.Runtime.CompilerServices;

namespace UsageBatch.Tests.TestSupport;

internal static class DapperNames
{
    /// <summary>The tests read rows into records named like the columns (billing_status → BillingStatus).</summary>
    [ModuleInitializer]
    internal static void MatchUnderscores() => Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
}
