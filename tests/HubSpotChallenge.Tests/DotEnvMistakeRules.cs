using System.Text;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Each mistake in .env is one problem that names it and its fix, and nothing follows from it (no "not set" for
/// the values it held). The whole run with one of them is DotEnvMistakeTests'.</summary>
public sealed class DotEnvMistakeRules : IDisposable
{
    const string Token = FakeHubSpot.FakeHubSpotServer.DefaultToken;
    const string Key = $"HUBSPOT_KEY={Token}\n";

    // Each test's own folder, gone with it.
    readonly string _directory = Directory.CreateTempSubdirectory("hubspot-challenge-dotenv-").FullName;

    string DotEnv => Path.Combine(_directory, ".env");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // The problems the configuration has with this .env alone, as the program reads it.
    static async Task<List<string>> ProblemsAsync(string path)
    {
        var dotEnv = await DotEnvFile.ReadAsync(path, _ => null, TestContext.Current.CancellationToken);
        return Settings.Load(dotEnv, dryRun: false).Problems;
    }

    // The one problem, as the program lists it.
    static async Task<string> OneProblemAsync(string path, byte[] dotEnv)
    {
        await File.WriteAllBytesAsync(path, dotEnv, TestContext.Current.CancellationToken);
        return $"  - {Assert.Single(await ProblemsAsync(path))}";
    }

    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task AnApostropheOutsideQuotesIsNamedWithItsLineAndNothingElseIsReported()
    {
        var path = DotEnv;

        var problem = await OneProblemAsync(path, Utf8($"{Key}LASTNAME=O'Brien\nFIRSTNAME=Ada\n"));

        Assert.Equal($"  - {path} could not be parsed at line 2, so none of its values were read: close every quote, and put a value with an apostrophe in double quotes, e.g. LASTNAME=\"O'Brien\".", problem);
    }

    [Fact]
    public async Task AQuoteLeftOpenOnTheLastLineIsNamedByTheLineTheParserStoppedAt()
    {
        var path = DotEnv;

        var problem = await OneProblemAsync(path, Utf8($"{Key}FIRSTNAME=Ada\nLASTNAME=\"O'Brien\n"));

        Assert.Equal($"  - {path} could not be parsed at line 3, so none of its values were read: close every quote, and put a value with an apostrophe in double quotes, e.g. LASTNAME=\"O'Brien\".", problem);
    }

    [Theory]
    [InlineData("HUBSPOT_KEY=\"pat-na1-11111111-2222-3333-4444-555555555555\nFIRSTNAME=Ada\nLASTNAME=Lovelace\n")]
    [InlineData("FIRSTNAME=\"Ada")]
    public async Task AQuoteThatRunsToTheEndOfTheFileIsNamedAsNeverClosedWithoutALineNumberOrAGuess(string dotEnv)
    {
        var path = DotEnv;

        var problem = await OneProblemAsync(path, Utf8(dotEnv));

        Assert.Equal($"  - {path} opens a quote it never closes (the file ends inside it), so none of its values were read: close it, e.g. LASTNAME=\"O'Brien\".", problem);
    }

    [Fact]
    public async Task OldMacLineEndingsAreNamedAsSuch()
    {
        var path = DotEnv;

        var problem = await OneProblemAsync(path, Utf8($"HUBSPOT_KEY={Token}\rFIRSTNAME=Ada\rLASTNAME=Lovelace\r"));

        Assert.Equal($"  - {path} has old Mac line endings (CR only), so none of its values were read: save it with LF line endings.", problem);
    }

    [Fact]
    public async Task Utf16WithoutAByteOrderMarkIsNamedAsSuch()
    {
        var path = DotEnv;

        var problem = await OneProblemAsync(path, Encoding.Unicode.GetBytes($"{Key}FIRSTNAME=Ada\nLASTNAME=Lovelace\n"));

        Assert.Equal($"  - {path} is UTF-16 without a byte order mark, so none of its values were read: save it as UTF-8.", problem);
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
        var path = DotEnv;

        var problem = await OneProblemAsync(path, dotEnv);

        Assert.True(problem == $"  - {path} is not UTF-8 (older Windows editors save Windows-1252), so none of its values were read: save it as UTF-8.", $"{kind}: {problem}");
    }

    [Theory]
    [InlineData("FIRSTNAME=\n")]
    [InlineData("FIRSTNAME=Ada\nFIRSTNAME=\n")]
    [InlineData("GIVEN=Ada\nFIRSTNAME=${GIVEN}\n")]
    public async Task AValueThatIsEmptyInDotEnvIsCalledEmptyNotMissing(string firstName)
    {
        var path = DotEnv;

        var problem = await OneProblemAsync(path, Utf8($"{Key}{firstName}LASTNAME=Lovelace\n"));

        Assert.Equal($"  - FIRSTNAME is empty in {path}: put the contact's first name there (${{NAME}} is taken from the environment only).", problem);
    }

    [Theory]
    [InlineData("link")]
    [InlineData("directory")]
    public async Task ADotEnvThatCannotBeReadIsTheOnlyProblemReported(string kind)
    {
        var (directory, path) = (_directory, DotEnv);
        if (kind == "link")
        {
            Posix.Require("a symbolic link made without privileges");
            File.CreateSymbolicLink(path, Path.Combine(directory, "moved-away.env"));
        }
        else
        {
            Directory.CreateDirectory(path);
        }

        var problem = Assert.Single(await ProblemsAsync(path));

        Assert.StartsWith($"{path} could not be read (", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("utf-8 with a byte order mark")]
    [InlineData("utf-16 big-endian with a byte order mark")]
    public async Task UnicodeWithAByteOrderMarkAndCrlfLineEndingsIsReadAsWritten(string encoding)
    {
        var path = DotEnv;
        Encoding chosen = encoding == "utf-8 with a byte order mark" ? new UTF8Encoding(true) : new UnicodeEncoding(bigEndian: true, byteOrderMark: true);
        await File.WriteAllTextAsync(path, $"HUBSPOT_KEY={Token}\r\nFIRSTNAME=Jürgen\r\nLASTNAME=Łukasiewicz\r\n", chosen, TestContext.Current.CancellationToken);

        var dotEnv = await DotEnvFile.ReadAsync(path, _ => null, TestContext.Current.CancellationToken);

        Assert.Empty(dotEnv.Problems);
        Assert.Equal(("Jürgen", "Łukasiewicz"), (dotEnv.Values["FIRSTNAME"], dotEnv.Values["LASTNAME"]));
    }
}
