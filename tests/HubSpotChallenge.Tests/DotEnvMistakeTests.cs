using System.Text;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Each mistake in .env is one line that names it and its fix, and nothing follows from it; nothing is sent.</summary>
public sealed class DotEnvMistakeTests
{
    /// <summary>Runs the app with all its settings in .env (none in the environment) and returns the one problem line.</summary>
    static async Task<string> OneProblemAsync(Scenario scenario, byte[] dotEnv)
    {
        foreach (var name in new[] { "HUBSPOT_KEY", "FIRSTNAME", "LASTNAME" })
        {
            scenario.Environment[name] = null;
        }

        await File.WriteAllBytesAsync(Path.Combine(scenario.Directory, ".env"), dotEnv, TestContext.Current.CancellationToken);

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        var lines = run.Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 2, $"Expected the heading and one problem.{Environment.NewLine}{run}");
        Assert.Equal("Nothing was sent to HubSpot. Correct the configuration:", lines[0]);
        Assert.Empty(scenario.HubSpot.Requests);
        return lines[1];
    }

    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    static string Key(Scenario scenario) => $"HUBSPOT_KEY={scenario.HubSpot.Token}\n";

    [Fact]
    public async Task AnApostropheOutsideQuotesIsNamedWithItsLineAndNothingElseIsReported()
    {
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");

        var problem = await OneProblemAsync(scenario, Utf8($"{Key(scenario)}LASTNAME=O'Brien\nFIRSTNAME=Ada\n"));

        Assert.Equal($"  - {path} could not be parsed at line 2, so none of its values were read: close every quote, and put a value with an apostrophe in double quotes, e.g. LASTNAME=\"O'Brien\".", problem);
    }

    [Fact]
    public async Task AQuoteLeftOpenOnTheLastLineIsNamedByTheLineTheParserStoppedAt()
    {
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");

        var problem = await OneProblemAsync(scenario, Utf8($"{Key(scenario)}FIRSTNAME=Ada\nLASTNAME=\"O'Brien\n"));

        Assert.Equal($"  - {path} could not be parsed at line 3, so none of its values were read: close every quote, and put a value with an apostrophe in double quotes, e.g. LASTNAME=\"O'Brien\".", problem);
    }

    [Theory]
    [InlineData("HUBSPOT_KEY=\"pat-na1-11111111-2222-3333-4444-555555555555\nFIRSTNAME=Ada\nLASTNAME=Lovelace\n")]
    [InlineData("FIRSTNAME=\"Ada")]
    public async Task AQuoteThatRunsToTheEndOfTheFileIsNamedAsNeverClosedWithoutALineNumberOrAGuess(string dotEnv)
    {
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");

        var problem = await OneProblemAsync(scenario, Utf8(dotEnv));

        Assert.Equal($"  - {path} opens a quote it never closes (the file ends inside it), so none of its values were read: close it, e.g. LASTNAME=\"O'Brien\".", problem);
    }

    [Fact]
    public async Task OldMacLineEndingsAreNamedAsSuch()
    {
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");

        var problem = await OneProblemAsync(scenario, Utf8($"HUBSPOT_KEY={scenario.HubSpot.Token}\rFIRSTNAME=Ada\rLASTNAME=Lovelace\r"));

        Assert.Equal($"  - {path} has old Mac line endings (CR only), so none of its values were read: save it with LF line endings.", problem);
    }

    [Fact]
    public async Task Utf16WithoutAByteOrderMarkIsNamedAsSuch()
    {
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");

        var problem = await OneProblemAsync(scenario, Encoding.Unicode.GetBytes($"{Key(scenario)}FIRSTNAME=Ada\nLASTNAME=Lovelace\n"));

        Assert.Equal($"  - {path} is UTF-16 without a byte order mark, so none of its values were read: save it as UTF-8.", problem);
    }

    [Fact]
    public async Task AWindows1252DotEnvIsNamedAsNotUtf8AndNoneOfItsValuesIsUsed()
    {
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");

        var problem = await OneProblemAsync(scenario, Encoding.Latin1.GetBytes($"{Key(scenario)}FIRSTNAME=Jürgen\nLASTNAME=Müller\n"));

        Assert.Equal($"  - {path} is not UTF-8 (older Windows editors save Windows-1252), so none of its values were read: save it as UTF-8.", problem);
    }

    public static TheoryData<string, byte[]> NotUtf8 => new()
    {
        { "a byte order mark, then Latin-1", [0xEF, 0xBB, 0xBF, .. Encoding.Latin1.GetBytes("FIRSTNAME=Zoë\n")] },
        { "UTF-8 cut inside its last letter", [.. Encoding.UTF8.GetBytes("FIRSTNAME=Wei"), 0xC3] },
        { "UTF-16 with a byte order mark and a lone surrogate", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("FIRSTNAME=Ad"), 0x00, 0xD8] },
    };

    [Theory]
    [MemberData(nameof(NotUtf8))]
    public async Task BytesThatAreNotStrictUtf8OrUtf16AreRefusedWhateverTheirByteOrderMark(string kind, byte[] dotEnv)
    {
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");

        var problem = await OneProblemAsync(scenario, dotEnv);

        Assert.True(problem == $"  - {path} is not UTF-8 (older Windows editors save Windows-1252), so none of its values were read: save it as UTF-8.", $"{kind}: {problem}");
    }

    [Theory]
    [InlineData("utf-8 with a byte order mark")]
    [InlineData("utf-16 with a byte order mark")]
    [InlineData("utf-16 big-endian with a byte order mark")]
    public async Task UnicodeWithAByteOrderMarkAndCrlfLineEndingsIsReadAsWritten(string encoding)
    {
        await using var scenario = await Scenario.StartAsync();
        foreach (var name in new[] { "HUBSPOT_KEY", "FIRSTNAME", "LASTNAME" })
        {
            scenario.Environment[name] = null;
        }

        Encoding chosen = encoding switch
        {
            "utf-8 with a byte order mark" => new UTF8Encoding(true),
            "utf-16 with a byte order mark" => new UnicodeEncoding(bigEndian: false, byteOrderMark: true),
            _ => new UnicodeEncoding(bigEndian: true, byteOrderMark: true),
        };
        await File.WriteAllTextAsync(Path.Combine(scenario.Directory, ".env"),
            $"HUBSPOT_KEY={scenario.HubSpot.Token}\r\nFIRSTNAME=Jürgen\r\nLASTNAME=Łukasiewicz\r\n", chosen, TestContext.Current.CancellationToken);

        (await scenario.RunAsync()).ShouldExitWith(0);

        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Equal(("Jürgen", "Łukasiewicz", "jurgen.lukasiewicz@example.com"), (contact["firstname"], contact["lastname"], contact["email"]));
    }

    [Fact]
    public async Task TheExamplesPlaceholderTokenIsNamedAsSuchAndNothingIsSent()
    {
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");
        var example = await File.ReadAllBytesAsync(Path.Combine(Scenario.RepositoryRoot(), ".env.example"), TestContext.Current.CancellationToken);

        var problem = await OneProblemAsync(scenario, example);

        Assert.Equal($"  - HUBSPOT_KEY in {path} is still the placeholder from .env.example: put your service key or private app token there.", problem);
    }

    [Theory]
    [InlineData("FIRSTNAME=\n")]
    [InlineData("FIRSTNAME=Ada\nFIRSTNAME=\n")]
    [InlineData("GIVEN=Ada\nFIRSTNAME=${GIVEN}\n")]
    public async Task AValueThatIsEmptyInDotEnvIsCalledEmptyNotMissing(string firstName)
    {
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");

        var problem = await OneProblemAsync(scenario, Utf8($"{Key(scenario)}{firstName}LASTNAME=Lovelace\n"));

        Assert.Equal($"  - FIRSTNAME is empty in {path}: put the contact's first name there (${{NAME}} is taken from the environment only).", problem);
    }

    [Theory]
    [InlineData("link")]
    [InlineData("directory")]
    public async Task ADotEnvThatCannotBeReadIsTheOnlyProblemReported(string kind)
    {
        if (kind == "link")
        {
            Posix.Require("a symbolic link made without privileges");
        }

        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");
        foreach (var name in new[] { "HUBSPOT_KEY", "FIRSTNAME", "LASTNAME" })
        {
            scenario.Environment[name] = null;
        }

        if (kind == "link")
        {
            File.CreateSymbolicLink(path, Path.Combine(scenario.Directory, "moved-away.env"));
        }
        else
        {
            Directory.CreateDirectory(path);
        }

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        var lines = run.Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 2, $"Expected the heading and one problem.{Environment.NewLine}{run}");
        Assert.StartsWith($"  - {path} could not be read (", lines[1], StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }
}
