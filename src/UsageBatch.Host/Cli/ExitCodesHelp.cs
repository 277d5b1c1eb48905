using System.CommandLine;
using System.CommandLine.Invocation;

namespace UsageBatch.Cli;

/// <summary>`--help` (and `usagebatch help VERB`): System.CommandLine's help, then the verb's exit codes.</summary>
internal sealed class ExitCodesHelp(SynchronousCommandLineAction help, IReadOnlyDictionary<Command, string> exitCodes, TextWriter output)
    : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var exit = help.Invoke(parseResult);
        if (exitCodes.TryGetValue(parseResult.CommandResult.Command, out var codes))
        {
            output.WriteLine(codes.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal));
            output.WriteLine();
        }

        return exit;
    }
}
