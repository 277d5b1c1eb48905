using UsageBatch.Storage;

namespace UsageBatch.Tests.Storage;

/// <summary>
/// How the SQL Server plan cuts a run's confirmed submissions into settle statements: consecutive submissions whose
/// claimed rows fit one statement share it (one UPDATE instead of three round trips each); one larger than a
/// statement is settled alone, paged; no statement ever moves more than the rows per statement.
/// </summary>
public sealed class GroupBatchesSettleRangesTests
{
    [Fact]
    public void Ranges_PackConsecutiveSubmissionsUpToTheRowsPerStatement()
    {
        var submissions = new (long Id, long Rows)[] { (1, 40), (2, 40), (3, 20), (5, 50), (8, 30), (9, 100) };

        var ranges = GroupBatches.Ranges(submissions, rowsPerStatement: 100).ToList();

        Assert.Equal([(1L, 3L, false), (5L, 8L, false), (9L, 9L, false)], ranges);
    }

    [Fact]
    public void Ranges_ASubmissionLargerThanAStatement_IsSettledAloneAndDoesNotStopTheOthers()
    {
        var submissions = new (long Id, long Rows)[] { (1, 10), (2, 250), (3, 10), (4, 10) };

        var ranges = GroupBatches.Ranges(submissions, rowsPerStatement: 100).ToList();

        Assert.Equal([(1L, 1L, false), (2L, 2L, true), (3L, 4L, false)], ranges);
    }

    [Fact]
    public void Ranges_EverySubmissionInExactlyOneRange_NoneOverTheLimitUnlessAlone()
    {
        var random = new Random(7);
        var submissions = Enumerable.Range(1, 500).Select(i => ((long)i * 3, (long)random.Next(1, 300))).ToList();

        var ranges = GroupBatches.Ranges(submissions, rowsPerStatement: 250).ToList();

        var covered = ranges.SelectMany(r => submissions.Where(s => s.Item1 >= r.First && s.Item1 <= r.Last)).Select(s => s.Item1).ToList();
        Assert.Equal(submissions.Select(s => s.Item1), covered);
        Assert.All(ranges, r => Assert.True(r.Alone || submissions.Where(s => s.Item1 >= r.First && s.Item1 <= r.Last).Sum(s => s.Item2) <= 250));
        Assert.All(ranges.Where(r => r.Alone), r => Assert.Equal(r.First, r.Last));
    }
}
