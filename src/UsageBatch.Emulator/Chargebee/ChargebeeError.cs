using System.Text.Json.Serialization;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>Chargebee's error envelope (the provider's API docs), with the deprecated error_code/error_msg still filled.</summary>
internal sealed record ChargebeeError(
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Type,
    string ApiErrorCode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Param,
    string ErrorCode,
    string ErrorMsg,
    int HttpStatusCode)
{
    public static ProviderResponse Respond(int status, string message, string? type, string apiErrorCode, string? param, string errorCode) =>
        ProviderResponse.Json(status, new ChargebeeError(message, type, apiErrorCode, param, errorCode, message, status));

    public static ProviderResponse Missing(string param) =>
        Respond(400, $"{param} : cannot be blank", "invalid_request", "param_wrong_value", param, "param_not_present");

    public static ProviderResponse WrongValue(string param, string message) =>
        Respond(400, $"{param} : {message}", "invalid_request", "param_wrong_value", param, "param_wrong_value");

    public static ProviderResponse InvalidRequest(string? param, string message) =>
        Respond(400, message, "invalid_request", "invalid_request", param, "invalid_request");

    public static ProviderResponse NotFound(string message) =>
        Respond(404, message, "invalid_request", "resource_not_found", null, "resource_not_found");

    /// <summary>An unknown id in the path, word for word as the provider's API docs show it.</summary>
    public static ProviderResponse ResourceNotFound() => NotFound("Sorry, we couldn't find that resource");

    /// <summary>
    /// 409 for an action the resource's state does not allow (the provider's API docs name the code; the message
    /// is inferred).
    /// </summary>
    public static ProviderResponse InvalidState(string message) =>
        Respond(409, message, "invalid_request", "invalid_state_for_request", null, "invalid_state_for_request");

    // inferred (the provider's API docs [I]): the 401 body; no type, as the older fixtures show.
    public static ProviderResponse Unauthorized() =>
        Respond(401, "Sorry, authentication failed. Invalid api key", null, "api_authentication_failed", null, "api_authentication_invalid_key");

    public static ProviderResponse RateLimited(TimeSpan untilFree)
    {
        // Round up so a client sleeping Retry-After seconds always finds a free slot.
        var seconds = Math.Max(1, (long)Math.Ceiling(untilFree.TotalSeconds));
        return Respond(429, "Sorry, access has been blocked temporarily due to request count exceeding acceptable limits. Please try after some time.",
            "operation_failed", "api_request_limit_exceeded", null, "api_request_limit_exceeded") with
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
    }
}
