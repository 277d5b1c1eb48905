using System.Text.Json;

namespace UsageBatch.Emulator;

/// <summary>Reads the fixture JSON (file or request body) leniently: camelCase, comments, trailing commas.</summary>
internal static class FixtureLoader
{
    public static EmulatorFixtures Parse(string json)
    {
        var fixtures = JsonSerializer.Deserialize<EmulatorFixtures>(json, EmulatorJson.Control)
            ?? throw new JsonException("The fixture document is empty (null).");
        // A JsonException, so a bad file or control body is reported like malformed JSON.
        return FixtureCheck.Problem(fixtures) is { } problem ? throw new JsonException(problem) : fixtures;
    }

    public static EmulatorFixtures Load(string path) => Parse(File.ReadAllText(path));
}
