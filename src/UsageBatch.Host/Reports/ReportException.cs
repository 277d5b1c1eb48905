namespace UsageBatch.Reports;

/// <summary>
/// Something finance must know about: a row or a whole submission the run rejected, held or released back to pending,
/// with the reason as the run recorded it and what to do next.
/// </summary>
/// <param name="Scope"><c>submission</c> (a whole group) or <c>row</c> (one usage row).</param>
/// <param name="Kind"><c>rejected</c>, <c>held</c>, <c>released</c>, or (a whole submission) <c>void</c>: never sent,
/// its rows back to pending for the next run (a stopped or aborted run leaves these).</param>
internal sealed record ReportException(
    string Scope,
    string Kind,
    string UsageTable,
    long? RowId,
    string? SourceKey,
    long? SubmissionId,
    string Reason,
    string WhatToDo,
    DateTimeOffset At);
