namespace UsageBatch.Configuration;

/// <summary>
/// Whether the job can write into a configured folder (reports, logs) without creating anything to find out: the
/// folder, or its nearest existing parent, must be a folder this process can create entries in. A probe entry is
/// made and removed at once, so a dry run or `validate` leaves nothing behind.
/// </summary>
internal static class WritableFolder
{
    /// <summary>Null when it is usable; otherwise why not, for a message that starts with the key path.</summary>
    public static string? Problem(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "is empty";
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"'{path}' is not a valid path: {ex.Message}";
        }

        var existing = full;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                return existing == full ? $"'{full}' is a file, not a folder" : $"'{full}' cannot be created: '{existing}' is a file";
            }

            existing = Path.GetDirectoryName(existing);
            if (existing is null)
            {
                return $"'{full}' cannot be created: no part of it exists";
            }
        }

        var probe = Path.Combine(existing, ".usagebatch-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"'{full}' cannot be written{(existing == full ? "" : $" (its nearest existing folder is '{existing}')")}: {ex.Message}";
        }
    }
}
