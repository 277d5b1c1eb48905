namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>The checkout the tests were built from (found by walking up to UsageBatch.sln).</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "UsageBatch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("UsageBatch.sln not found above " + AppContext.BaseDirectory);
    }
}
