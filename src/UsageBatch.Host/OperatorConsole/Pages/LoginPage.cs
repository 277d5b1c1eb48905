using UsageBatch.OperatorConsole.Html;

namespace UsageBatch.OperatorConsole.Pages;

/// <summary>Sign-in with the console's access key (only when console.authKeyEnv is configured).</summary>
internal static class LoginPage
{
    public static string Render(ConsoleContext context, ConsolePage.Antiforgery token, string returnPath, bool failed)
    {
        var page = new ConsolePage("Sign in", "", $"{context.Mode} · {context.Store.Dialect}");
        page.Heading(1, "Sign in");
        if (failed)
        {
            page.Notice("That is not the console's access key.", "fail");
        }

        page.Note("This console needs its access key: the value of the environment variable named by console.authKeyEnv on the host that serves it.");
        page.Raw("<form method=\"post\" action=\"/login\" class=\"filters\">");
        page.Raw("<input type=\"hidden\" name=\"").Attr(token.FieldName).Raw("\" value=\"").Attr(token.Value).Raw("\">");
        page.Raw("<input type=\"hidden\" name=\"return\" value=\"").Attr(returnPath).Raw("\">");
        page.Raw("<label>Access key<input type=\"password\" name=\"key\" autocomplete=\"current-password\" required></label>");
        page.Raw("<button type=\"submit\">Sign in</button></form>\n");
        return page.ToString();
    }
}
