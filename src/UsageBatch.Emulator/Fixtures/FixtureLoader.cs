using System.Text.Json;

namespace UsageBatch.Emulator;

/// <summary>Reads the fixture JSON (file or request body) leniently: camelCase, comments, trailing commas.</summary>
internal static class FixtureLoader
{
    public static EmulatorFixtures Parse(string json) =>
        JsonSerializer.Deserialize<EmulatorFixtures>(json, EmulatorJson.Control)
        ?? throw new JsonException("The fixture document is empty (null).");

    public static EmulatorFixtures Load(string path) => Parse(File.ReadAllText(path));
}
