namespace UsageBatch.Emulator.Whop;

/// <summary>v5's list envelope (<c>Pagination</c> schema in whop-sdk-ts v5.yaml), the same for every v5 list.</summary>
internal sealed record WhopPage<T>(WhopPagination Pagination, IReadOnlyList<T> Data);
