namespace UsageBatch.Emulator.Whop;

internal sealed record WhopPagination(int CurrentPage, int TotalPages, int? NextPage, int? PrevPage, int TotalCount);
