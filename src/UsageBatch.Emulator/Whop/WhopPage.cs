namespace UsageBatch.Emulator.Whop;

/// <summary>v5's list envelope (<c>Pagination</c> schema in whop-sdk-ts v5.yaml).</summary>
internal sealed record WhopPage(WhopPagination Pagination, IReadOnlyList<WhopUsage> Data);
