using System.Text.Json;

namespace UsageBatch.Tests.Emulator;

/// <summary>Checks one Chargebee error envelope: status, api_error_code and param.</summary>
internal static class ChargebeeAssert
{
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, int status, string apiErrorCode, string? param)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var body = await EmulatorHarness.ReadJsonAsync(response);
        Assert.Equal(apiErrorCode, body.GetProperty("api_error_code").GetString());
        Assert.Equal(status, body.GetProperty("http_status_code").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_code").GetString()));
        Assert.Equal(body.GetProperty("message").GetString(), body.GetProperty("error_msg").GetString());
        if (param is null)
        {
            Assert.False(body.TryGetProperty("param", out _));
        }
        else
        {
            Assert.Equal(param, body.GetProperty("param").GetString());
        }

        return body;
    }
}
