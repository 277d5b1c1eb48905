namespace UsageBatch.Configuration;

/// <summary>
/// Checks the <c>console</c> section and the jobs' health keys, by key path. The console is loopback-only unless an
/// access key is configured: a key that lives only in an environment variable, never in jobs.json.
/// </summary>
internal static class ConsoleValidator
{
    /// <summary>An access key shorter than this is refused: it guards "run now" and every page.</summary>
    public const int MinimumKeyLength = 16;

    /// <param name="requireKey">Whether the key's environment variable must be set now: only where the console is served or
    /// checked (`serve`, `validate`, `console`), never for `run` from SQL Agent or cron, which serves nothing.</param>
    public static void Validate(AppOptions options, Func<string, string?> environment, bool requireKey, List<string> errors)
    {
        var console = options.Console;
        var urls = ParseUrls(console.Urls, errors);
        var exposed = urls.Where(u => !ConfigValidator.IsLoopback(u)).ToList();
        if (exposed.Count > 0 && string.IsNullOrWhiteSpace(console.AuthKeyEnv))
        {
            errors.Add($"console.authKeyEnv: required because console.urls listens beyond loopback ({string.Join(", ", exposed.Select(u => u.Authority))}); name an environment variable holding an access key of at least {MinimumKeyLength} characters");
        }

        if (requireKey)
        {
            errors.AddRange(KeyErrors(options, environment));
        }

        if (console.OtlpEndpoint is { } otlp && (!Uri.TryCreate(otlp, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            errors.Add($"console.otlpEndpoint: '{otlp}' is not an absolute http(s) URL");
        }

        for (var i = 0; i < options.Jobs.Count; i++)
        {
            if (options.Jobs[i].HealthyWithin is { } within && within <= TimeSpan.Zero)
            {
                errors.Add($"jobs[{i}].healthyWithin: must be a positive duration");
            }

            if (options.Jobs[i].MaxPendingAge is { } age && age <= TimeSpan.Zero)
            {
                errors.Add($"jobs[{i}].maxPendingAge: must be a positive duration");
            }
        }
    }

    /// <summary>The access key's own checks: when console.authKeyEnv names a variable, it is set and long enough.</summary>
    public static IReadOnlyList<string> KeyErrors(AppOptions options, Func<string, string?> environment)
    {
        if (options.Console.AuthKeyEnv is not { } name || string.IsNullOrWhiteSpace(name))
        {
            return [];
        }

        var key = environment(name);
        if (string.IsNullOrEmpty(key))
        {
            return [$"console.authKeyEnv: environment variable {name} is not set (it must hold the console's access key)"];
        }

        return key.Length < MinimumKeyLength
            ? [$"console.authKeyEnv: the key in {name} has {key.Length} characters; use at least {MinimumKeyLength}"]
            : [];
    }

    /// <summary>The console's addresses; ASP.NET Core's wildcards (<c>*</c>, <c>+</c>) mean every interface.</summary>
    public static IReadOnlyList<Uri> ParseUrls(string urls, List<string> errors)
    {
        var parsed = new List<Uri>();
        var items = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
        {
            errors.Add("console.urls: at least one address is required, e.g. http://127.0.0.1:5090");
        }

        foreach (var item in items)
        {
            var text = item.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.AbsolutePath != "/")
            {
                errors.Add($"console.urls: '{item}' is not an address like http://127.0.0.1:5090");
            }
            else if (url.Scheme == "https")
            {
                errors.Add($"console.urls: '{item}': https is not served directly; listen on http and terminate TLS at a reverse proxy in front");
            }
            else
            {
                parsed.Add(url);
            }
        }

        return parsed;
    }
}
