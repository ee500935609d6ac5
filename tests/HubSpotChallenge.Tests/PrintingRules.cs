using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Text from outside enters a message through Quote: the token hidden, invisibles escaped, then shortened.</summary>
public sealed class PrintingRules
{
    const string Token = "pat-na1-11111111-2222-3333-4444-555555555555";

    [Theory]
    [InlineData("Zoë Ødegård 李 O'Brien", "Zoë Ødegård 李 O'Brien")]
    [InlineData("a\u001b[31mb", "a\\u001B[31mb")]
    [InlineData("line\nbreak\r", "line\\u000Abreak\\u000D")]
    [InlineData("feed\fnext\u0085line\u2028para\u2029", "feed\\u000Cnext\\u0085line\\u2028para\\u2029")]
    [InlineData("rtl\u202Eoverride", "rtl\\u202Eoverride")]
    [InlineData("zero\u200Bwidth", "zero\\u200Bwidth")]
    [InlineData("joiner\u200Dkept", "joiner\u200Dkept")]
    [InlineData("emoji 🙂 kept", "emoji 🙂 kept")]
    [InlineData("tag \U000E0041 char", "tag \\U000E0041 char")]
    [InlineData("private \U000F0000 use", "private \\U000F0000 use")]
    public void ControlLineBreakAndInvisibleCharactersOfAnyPlaneAreShownAsTheirCodes(string text, string shown) =>
        Assert.Equal(shown, Terminal.Quote(text, int.MaxValue, token: null));

    [Fact]
    public void ALoneSurrogateIsShownAsItsCode() => Assert.Equal("lone \\uD800 surrogate", Terminal.Quote($"lone {(char)0xD800} surrogate", int.MaxValue, token: null));

    [Fact]
    public void TheTokenIsHiddenBeforeTheTextIsShortened()
    {
        var quoted = Terminal.Quote($"https://gateway.example/{new string('x', 40)}/{Token}/contacts", 80, Token);

        Assert.Equal(80, quoted.Length);
        Assert.StartsWith($"https://gateway.example/{new string('x', 40)}/(hidden)/", quoted, StringComparison.Ordinal);
        Assert.EndsWith("...", quoted, StringComparison.Ordinal);
        Assert.DoesNotContain(Token[..12], quoted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("upper case")]
    [InlineData("cut short")]
    [InlineData("split by an invisible character")]
    public void NoTwelveCharactersOfTheTokenArePrintedHoweverAnAnswerChangesIt(string how)
    {
        var echoed = how switch
        {
            "upper case" => Token.ToUpperInvariant(),
            "cut short" => Token[..^1],
            _ => $"{Token[..20]}\u200B{Token[20..]}",
        };

        var quoted = Terminal.Quote($"Refused the header Authorization: Bearer {echoed}", int.MaxValue, Token);

        Assert.StartsWith("Refused the header Authorization: Bearer (hidden)", quoted, StringComparison.Ordinal);
        for (var i = 0; i + 12 <= Token.Length; i++)
        {
            Assert.DoesNotContain(Token.Substring(i, 12), quoted, StringComparison.OrdinalIgnoreCase);
        }
    }
}
