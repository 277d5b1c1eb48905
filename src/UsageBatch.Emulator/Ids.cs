using System.Security.Cryptography;

namespace UsageBatch.Emulator;

/// <summary>Provider-shaped random ids (prefix + 14 alphanumerics, like <c>mem_5l6nvhob7ALjRT</c>).</summary>
internal static class Ids
{
    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string New(string prefix) => prefix + RandomNumberGenerator.GetString(Alphanumerics, 14);
}
