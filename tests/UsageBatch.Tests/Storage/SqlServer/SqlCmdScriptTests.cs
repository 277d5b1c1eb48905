using UsageBatch.Storage.SqlServer;

namespace UsageBatch.Tests.Storage.SqlServer;

public sealed class SqlCmdScriptTests
{
    private static readonly Dictionary<string, string> Dbo = new(StringComparer.Ordinal) { ["Schema"] = "dbo" };

    [Fact]
    public void Split_LinesThatAreExactlyGo_SeparateBatches()
    {
        var batches = SqlCmdScript.Split("SELECT 1;\nGO\r\nSELECT 2;\ngo  \nSELECT 3;\nGo\t\nSELECT 4;\n");

        Assert.Equal(["SELECT 1;\n", "SELECT 2;\n", "SELECT 3;\n", "SELECT 4;\n"], batches);
    }

    [Theory]
    [InlineData("SELECT 'GO';")]
    [InlineData("-- GO")]
    [InlineData("PRINT 'go on';")]
    [InlineData("GOTO done;")]
    [InlineData("GO;")]
    [InlineData("  GO")]
    [InlineData("/* GO */")]
    [InlineData("SELECT 1 AS GO")]
    public void Split_GoThatIsNotTheWholeLine_IsNotASeparator(string line)
    {
        var batch = Assert.Single(SqlCmdScript.Split($"SELECT 1;\n{line}\nSELECT 2;\n"));
        Assert.Contains(line, batch, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_EmptyBatches_AreDropped()
    {
        Assert.Equal(["SELECT 1;\n"], SqlCmdScript.Split("GO\n\nGO\nSELECT 1;\nGO\n   \nGO\n"));
    }

    [Fact]
    public void Split_SqlcmdCommand_IsRefusedNotIgnored()
    {
        Assert.Throws<FormatException>(() => SqlCmdScript.Split(":setvar Schema dbo\nSELECT 1;\n"));
    }

    [Fact]
    public void Substitute_Schema_ReplacesEveryOccurrence()
    {
        Assert.Equal("CREATE TABLE [sales].t (x int); SELECT OBJECT_ID(N'[sales].t');",
            SqlCmdScript.Substitute("CREATE TABLE [$(Schema)].t (x int); SELECT OBJECT_ID(N'[$(Schema)].t');", new Dictionary<string, string> { ["Schema"] = "sales" }));
    }

    [Theory]
    [InlineData("dbo]; DROP TABLE whop_usage; --")]
    [InlineData("1abc")]
    [InlineData("a-b")]
    [InlineData("[dbo]")]
    [InlineData("dbo.x")]
    [InlineData("")]
    [InlineData("o'brien")]
    [InlineData("sch ema")]
    public void Substitute_ValueThatIsNotAPlainIdentifier_IsRejected(string schema)
    {
        Assert.Throws<ArgumentException>(() => SqlCmdScript.Substitute("SELECT 1 FROM [$(Schema)].t", new Dictionary<string, string> { ["Schema"] = schema }));
        Assert.Throws<ArgumentException>(() => new SqlServerDatabase("Server=localhost", schema));
    }

    [Fact]
    public void Substitute_LongestIdentifier_IsAccepted_OneLongerIsNot()
    {
        Assert.Equal("x" + new string('a', 127), SqlCmdScript.Substitute("$(Schema)", new Dictionary<string, string> { ["Schema"] = "x" + new string('a', 127) }));
        Assert.Throws<ArgumentException>(() => SqlCmdScript.Substitute("$(Schema)", new Dictionary<string, string> { ["Schema"] = "x" + new string('a', 128) }));
    }

    [Fact]
    public void Substitute_UnknownVariable_Throws()
    {
        Assert.Throws<FormatException>(() => SqlCmdScript.Substitute("SELECT '$(Password)'", Dbo));
    }
}
