using UsageBatch.Billing;
using UsageBatch.OperatorConsole.Pages;
using UsageBatch.Storage;

namespace UsageBatch.Tests.OperatorConsole;

/// <summary>The exceptions page offers each held group its way out: a late group's is re-dating it into the current term.</summary>
public sealed class ExceptionCommandTests
{
    private static ConsoleExceptionGroup Group(string rowStatus, string? reason) =>
        new(42, rowStatus, rowStatus, 3, 7, 5, reason, "subscription_id=sub_Acme", "item_price_id=api-calls-USD-monthly");

    [Fact]
    public void HeldLateGroup_IsOfferedIntoCurrentTerm() =>
        Assert.Equal("usagebatch requeue --submission 42 --into-current-term",
            ExceptionsPage.GroupCommand(Tables.Chargebee, Group("held", TermGate.LateReasonPrefix + "usage_date … is in the term …, whose invoice inv_1 is posted")));

    [Fact]
    public void OtherHeldGroup_IsOfferedAPlainRequeue() =>
        Assert.Equal("usagebatch requeue --submission 42", ExceptionsPage.GroupCommand(Tables.Chargebee, Group("held", "quantity 9000 is above the job's maxQuantityPerSubmission")));

    [Fact]
    public void RejectedGroup_IsOfferedTheDbasUpdate() =>
        Assert.StartsWith("UPDATE chargebee_usage SET billing_status = 'pending'", ExceptionsPage.GroupCommand(Tables.Chargebee, Group("rejected", "late: not really")), StringComparison.Ordinal);
}
