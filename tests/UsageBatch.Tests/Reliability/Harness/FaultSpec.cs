using System.Text.Json.Nodes;

namespace UsageBatch.Reliability;

/// <summary>One emulator fault, named for the summary.</summary>
internal sealed record FaultSpec(string Name, string Method, string PathPrefix, string Action, int Count, int? Status = null,
    string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, int DelayMs = 0)
{
    /// <summary>What tells faults apart in the emulator's list: method, path, action and status.</summary>
    public string Key => KeyOf(Method, PathPrefix, Action, Status);

    public static string KeyOf(string? method, string? pathPrefix, string? action, int? status) =>
        $"{method} {pathPrefix} {action} {status?.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["method"] = Method, ["pathPrefix"] = PathPrefix, ["action"] = Action, ["count"] = Count, ["delayMs"] = DelayMs };
        if (Status is { } status)
        {
            json["status"] = status;
        }

        if (Body is not null)
        {
            json["body"] = Body;
        }

        if (Headers is not null)
        {
            var headers = new JsonObject();
            foreach (var (name, value) in Headers)
            {
                headers[name] = value;
            }

            json["headers"] = headers;
        }

        return json;
    }
}
