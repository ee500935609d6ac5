using System.Text;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>A mistake in .env is one line under the heading, exit code 2, and nothing sent; each mistake's line is a row of
/// DotEnvMistakeRules.</summary>
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

    static string Key(Scenario scenario) => $"HUBSPOT_KEY={scenario.HubSpot.Token}\n";

    [Fact]
    public async Task AWindows1252DotEnvIsNamedAsNotUtf8AndNoneOfItsValuesIsUsed()
    {
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");

        var problem = await OneProblemAsync(scenario, Encoding.Latin1.GetBytes($"{Key(scenario)}FIRSTNAME=Jürgen\nLASTNAME=Müller\n"));

        Assert.Equal($"  - {path} is not UTF-8 (older Windows editors save Windows-1252), so none of its values were read: save it as UTF-8.", problem);
    }

    // UTF-16, as Windows' Notepad once saved; the other encodings are DotEnvMistakeRules'.
    [Fact]
    public async Task UnicodeWithAByteOrderMarkAndCrlfLineEndingsIsReadAsWritten()
    {
        await using var scenario = await Scenario.StartAsync();
        foreach (var name in new[] { "HUBSPOT_KEY", "FIRSTNAME", "LASTNAME" })
        {
            scenario.Environment[name] = null;
        }

        var chosen = new UnicodeEncoding(bigEndian: false, byteOrderMark: true);
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

}
