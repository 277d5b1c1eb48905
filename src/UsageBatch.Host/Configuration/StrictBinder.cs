using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace UsageBatch.Configuration;

/// <summary>
/// Binds configuration onto the options types by walking the tree key by key. Unlike ConfigurationBinder, which
/// drops a list element or dictionary entry whose value does not convert and ignores unknown keys, every key
/// here is either bound or reported by its path (<c>jobs[0].settleDelay</c>) with the value and the expected form,
/// so a typo can never leave a job or account silently out.
/// </summary>
internal sealed partial class StrictBinder(Func<string, string?> sourceOf)
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Binds <paramref name="configuration"/> onto a new <typeparamref name="T"/>; problems land in <see cref="Errors"/>.</summary>
    public T Bind<T>(IConfiguration configuration)
        where T : new()
    {
        var target = new T();
        BindObject(configuration.GetChildren(), target, "");
        return target;
    }

    private void BindObject(IEnumerable<IConfigurationSection> children, object target, string path)
    {
        var properties = Settable(target.GetType());
        foreach (var child in children)
        {
            var childPath = Join(path, child.Key, properties.TryGetValue(child.Key, out var found) ? found : null);
            if (found is null)
            {
                _errors.Add($"{childPath}: unknown key{Suggest(child.Key, properties.Values.Select(JsonName))}{From(child.Path)}");
                continue;
            }

            if (Read(child, found.PropertyType, childPath, found.GetValue(target)) is (true, var value))
            {
                found.SetValue(target, value);
            }
        }
    }

    private (bool Ok, object? Value) Read(IConfigurationSection section, Type type, string path, object? current)
    {
        var children = section.GetChildren().ToList();
        var nullable = Nullable.GetUnderlyingType(type);
        if (IsScalar(nullable ?? type))
        {
            if (children.Count > 0)
            {
                return Fail(path, $"is an object or a list; expected {Form(nullable ?? type)}", section.Path);
            }

            return ReadScalar(section, nullable ?? type, nullable is not null || !type.IsValueType, path);
        }

        // JSON null and empty objects/lists arrive as a key with no value and no children: keep the default.
        if (children.Count == 0 && !string.IsNullOrEmpty(section.Value))
        {
            return Fail(path, $"'{section.Value}' is a single value; expected {Form(type)}", section.Path);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return ReadList(children, type, path);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            var dictionary = (IDictionary)(current ?? Activator.CreateInstance(type)!);
            var valueType = type.GetGenericArguments()[1];
            foreach (var child in children)
            {
                if (Read(child, valueType, $"{path}.{child.Key}", null) is (true, var value))
                {
                    dictionary[child.Key] = value;
                }
            }

            return (true, dictionary);
        }

        var target = current ?? Activator.CreateInstance(type)!;
        BindObject(children, target, path);
        return (true, target);
    }

    private (bool, object?) ReadList(List<IConfigurationSection> children, Type type, string path)
    {
        var elementType = type.GetGenericArguments()[0];
        var list = (IList)Activator.CreateInstance(type)!;
        var ordered = new SortedDictionary<int, IConfigurationSection>();
        foreach (var child in children)
        {
            // Configuration keys of a JSON list are 0, 1, 2 …; an override such as JOBS__5__NAME past the end
            // would otherwise become a job of its own with every other key at its default.
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                _errors.Add($"{path}: '{child.Key}' is not a list position; expected a list [ … ]{From(child.Path)}");
                continue;
            }

            ordered[index] = child;
        }

        var expected = 0;
        foreach (var (index, child) in ordered)
        {
            if (index != expected)
            {
                _errors.Add($"{path}[{index}]: there is no {path}[{expected}]; list positions count from 0 without gaps{From(child.Path)}");
                return (false, null);
            }

            expected++;
            var (ok, value) = Read(child, elementType, $"{path}[{index}]", null);
            list.Add(ok ? value : DefaultOf(elementType));
        }

        return (true, list);
    }

    private (bool, object?) ReadScalar(IConfigurationSection section, Type type, bool allowsNull, string path)
    {
        var text = section.Value;
        if (string.IsNullOrEmpty(text))
        {
            if (type == typeof(string))
            {
                return (true, allowsNull ? null : "");
            }

            return allowsNull ? (true, null) : Fail(path, $"is empty; expected {Form(type)}", section.Path);
        }

        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(string))
        {
            return (true, text);
        }

        if (type == typeof(int) && int.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var i))
        {
            return (true, i);
        }

        if (type == typeof(decimal) && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, inv, out var d))
        {
            return (true, d);
        }

        if (type == typeof(bool) && bool.TryParse(text, out var b))
        {
            return (true, b);
        }

        // hh:mm:ss with an optional day count and fraction only: TimeSpan.Parse would read "30" as 30 days.
        if (type == typeof(TimeSpan) && DurationPattern().IsMatch(text) && TimeSpan.TryParse(text, inv, out var t))
        {
            return (true, t);
        }

        var quoted = type == typeof(TimeSpan) ? $"'{text}' is not a duration" : $"'{text}' is not {Form(type)}";
        return Fail(path, type == typeof(TimeSpan) ? $"{quoted}; write hh:mm:ss, e.g. 01:00:00 (a day count goes first: 2.00:00:00)" : quoted, section.Path);
    }

    private (bool, object?) Fail(string path, string message, string configurationPath)
    {
        _errors.Add($"{path}: {message}{From(configurationPath)}");
        return (false, null);
    }

    /// <summary>Names the environment variable when the value came from one (the file then looks right).</summary>
    private string From(string configurationPath) => sourceOf(configurationPath) is { } variable ? $" (from environment variable {variable})" : "";

    private static bool IsScalar(Type type) =>
        type == typeof(string) || type == typeof(int) || type == typeof(decimal) || type == typeof(bool) || type == typeof(TimeSpan);

    private static string Form(Type type)
    {
        var nullable = Nullable.GetUnderlyingType(type) ?? type;
        return nullable switch
        {
            _ when nullable == typeof(int) => "a whole number, e.g. 4",
            _ when nullable == typeof(decimal) => "a decimal number, e.g. 1000.50",
            _ when nullable == typeof(bool) => "true or false",
            _ when nullable == typeof(TimeSpan) => "a duration hh:mm:ss, e.g. 01:00:00",
            _ when nullable == typeof(string) => "text",
            _ when nullable.IsGenericType && nullable.GetGenericTypeDefinition() == typeof(List<>) => "a list [ … ]",
            _ => "an object { … }",
        };
    }

    private static object? DefaultOf(Type type) => type.IsValueType ? Activator.CreateInstance(type) : null;

    private static Dictionary<string, PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetSetMethod() is not null)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public static string JsonName(PropertyInfo property) => char.ToLowerInvariant(property.Name[0]) + property.Name[1..];

    private static string Join(string path, string key, PropertyInfo? property)
    {
        var name = property is null ? key : JsonName(property);
        return path.Length == 0 ? name : $"{path}.{name}";
    }

    /// <summary>" (did you mean 'x'?)" for the nearest known key within a few edits, else the list of known keys.</summary>
    internal static string Suggest(string key, IEnumerable<string> known)
    {
        var names = known.ToList();
        var best = names.Select(n => (Name: n, Distance: Distance(key.ToLowerInvariant(), n.ToLowerInvariant()))).OrderBy(n => n.Distance).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, key.Length / 3)
            ? $"; did you mean '{best.Name}'?"
            : $"; known keys here: {string.Join(", ", names)}";
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    [GeneratedRegex(@"^-?(\d+\.)?\d{1,2}:\d{2}:\d{2}(\.\d{1,7})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
