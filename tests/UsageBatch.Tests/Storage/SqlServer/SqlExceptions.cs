using System.Reflection;
using Microsoft.Data.SqlClient;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>
/// A <see cref="SqlException"/> carrying a given error number, as the server would raise it. SqlClient offers no
/// public constructor, so its own internal factory is called through reflection (pinned to the SqlClient version
/// in Directory.Packages.props; a change there that breaks this fails loudly, never silently).
/// </summary>
internal static class SqlExceptions
{
    public static SqlException WithNumber(int number, string message = "test error")
    {
        var errorType = typeof(SqlError);
        var errorCtor = errorType.GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).OrderByDescending(c => c.GetParameters().Length).First();
        var error = errorCtor.Invoke([.. errorCtor.GetParameters().Select(p => ArgumentFor(p, number, message))]);

        var collection = (SqlErrorCollection)Activator.CreateInstance(typeof(SqlErrorCollection), nonPublic: true)!;
        typeof(SqlErrorCollection).GetMethod("Add", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(collection, [error]);

        var create = typeof(SqlException).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Where(m => m.Name == "CreateException" && m.GetParameters().Length >= 2
                && m.GetParameters()[0].ParameterType == typeof(SqlErrorCollection) && m.GetParameters()[1].ParameterType == typeof(string))
            .OrderBy(m => m.GetParameters().Length).First();
        var arguments = create.GetParameters().Select((p, i) => i switch
        {
            0 => collection,
            1 => "16.0.0",
            _ => p.HasDefaultValue ? p.DefaultValue : p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null,
        }).ToArray();
        return (SqlException)create.Invoke(null, arguments)!;
    }

    private static object? ArgumentFor(ParameterInfo parameter, int number, string message) => parameter.ParameterType switch
    {
        var t when t == typeof(int) && parameter.Position == 0 => number,
        var t when t == typeof(byte) => (byte)0,
        var t when t == typeof(int) => 0,
        var t when t == typeof(uint) => 0u,
        var t when t == typeof(string) => parameter.Name?.Contains("message", StringComparison.OrdinalIgnoreCase) == true ? message : "",
        var t when t.IsValueType => Activator.CreateInstance(t),
        _ => null,
    };
}
