namespace UsageBatch.Emulator.Chargebee;

/// <summary>Filter operand formats: lists as <c>[a,b]</c> (the SDKs send JSON arrays) and timestamps in seconds.</summary>
internal static class ChargebeeFilterValues
{
    /// <summary>The items of <c>[a,b]</c> or <c>["a","b"]</c>; null unless bracketed with no empty item.</summary>
    public static string[]? List(string value)
    {
        var text = value.Trim();
        if (text.Length < 2 || text[0] != '[' || text[^1] != ']')
        {
            return null;
        }

        var items = text[1..^1].Split(',').Select(item => item.Trim().Trim('"')).ToArray();
        return items.Any(item => item.Length == 0) ? null : items;
    }

    /// <summary>
    /// Unix seconds: at most 10 digits, so a millisecond value is refused instead of matching nothing
    /// (inferred: the provider's API docs specify seconds).
    /// </summary>
    public static long? Timestamp(string value)
    {
        var text = value.Trim().Trim('"');
        return text.Length is > 0 and <= 10 && text.All(char.IsAsciiDigit)
            ? long.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }
}
