namespace UsageBatch.Reliability;

/// <summary>
/// Where the built executables are: the harness runs the real <c>usagebatch.dll</c> and the standalone emulator as
/// child processes (built once by the solution build, never <c>dotnet run</c> per iteration).
/// </summary>
internal static class ReliabilityPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepositoryRoot => Root.Value;

    /// <summary>The build configuration this harness was built with (the folder above net10.0), e.g. Debug.</summary>
    public static string Configuration =>
        Environment.GetEnvironmentVariable("USAGEBATCH_CONFIGURATION")
        ?? Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!)!;

    public static string HostDll => Built("UsageBatch.Host", "usagebatch.dll");

    public static string EmulatorDll => Built("UsageBatch.Emulator", "UsageBatch.Emulator.dll");

    private static string Built(string project, string file)
    {
        var path = Path.Combine(RepositoryRoot, "src", project, "bin", Configuration, "net10.0", file);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build the solution ({Configuration}) first", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "UsageBatch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"UsageBatch.sln not found above {AppContext.BaseDirectory}");
    }
}
