using System.Text;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Settings from the environment and .env: every problem at once, exit code 2, nothing sent.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task WithoutDotEnvEveryMissingValueIsReportedAtOnceWithWhereItWasLooked()
    {
        await using var world = await World.StartAsync();
        world.WithoutVariables().Environment["HUBSPOT_BASE_URL"] = "http://api.hubapi.com";

        var run = (await world.RunAsync()).ShouldExitWith(2);

        var dotEnv = Path.Combine(world.Directory, ".env");
        Assert.Equal($"""
            Nothing was sent to HubSpot. Correct the configuration:
            - HUBSPOT_KEY is not set, and there is no '{dotEnv}' (copy .env.example there, or run from the folder that holds .env): set it to your service key or private app token.
            - FIRSTNAME is not set, and there is no '{dotEnv}' (copy .env.example there, or run from the folder that holds .env): set it to the contact's first name.
            - LASTNAME is not set, and there is no '{dotEnv}' (copy .env.example there, or run from the folder that holds .env): set it to the contact's last name.
            - HUBSPOT_BASE_URL 'http://api.hubapi.com' is not an https URL like https://api.hubapi.com (http:// only to this machine).

            """.ReplaceLineEndings("\n"), run.Stderr);
        Assert.Empty(world.HubSpot.Requests);
    }

    [Fact]
    public async Task DotEnvFillsWhatTheEnvironmentDoesNotSetAndAnEmptyValueIsNamed()
    {
        await using var world = await World.StartAsync();
        world.Environment["FIRSTNAME"] = null;
        world.WriteDotEnv("# from .env.example\nFIRSTNAME=\"Mary Ann\"\nLASTNAME=Ignored\nHUBSPOT_KEY=\n");

        var run = (await world.RunAsync()).ShouldExitWith(0);
        world.Environment["LASTNAME"] = null;
        world.WriteDotEnv("FIRSTNAME=Ada\nLASTNAME=\n");
        var empty = (await world.RunAsync()).ShouldExitWith(2);

        Assert.StartsWith("Contact 37765128902 created: Mary Ann Lovelace <maryann.lovelace@example.com>", run.Stdout,
            StringComparison.Ordinal);
        Assert.Contains($"LASTNAME is missing or empty in '{Path.Combine(world.Directory, ".env")}': set it to the " +
            "contact's last name.", empty.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pat-xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "HUBSPOT_KEY is still the placeholder from .env.example")]
    [InlineData("Bearer pat-na1-1234", "HUBSPOT_KEY contains spaces or characters a token cannot have")]
    [InlineData("pat-na1-12\t34-ü", "HUBSPOT_KEY contains spaces or characters a token cannot have")]
    public async Task ATokenThatCannotBeRightIsRefusedBeforeAnythingIsSent(string token, string problem)
    {
        await using var world = await World.StartAsync();
        world.Environment["HUBSPOT_KEY"] = token;

        var run = (await world.RunAsync()).ShouldExitWith(2);

        Assert.Contains(problem, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(token, run.Output, StringComparison.Ordinal);
        Assert.Empty(world.HubSpot.Requests);
    }

    [Fact]
    public async Task ATokenPastedIntoTheWrongVariableIsHiddenInTheProblemThatQuotesIt()
    {
        await using var world = await World.StartAsync();
        world.Environment["HUBSPOT_BASE_URL"] = FakeHubSpotServer.Token;

        var run = (await world.RunAsync()).ShouldExitWith(2);

        Assert.Contains("HUBSPOT_BASE_URL '(hidden)' is not an https URL", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADotEnvSavedAsWindows1252IsRefusedNotReadIntoGarbledNames()
    {
        await using var world = await World.StartAsync();
        world.WithoutVariables().WriteDotEnv("FIRSTNAME=J\u00fcrgen\n", Encoding.Latin1);

        var run = (await world.RunAsync()).ShouldExitWith(2);

        Assert.Equal(2, run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("is not UTF-8 (older Windows editors save Windows-1252): save it as UTF-8.", run.Stderr,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADotEnvInUtf16WithCrlfAsWindowsPowerShellWritesItIsReadAsWritten()
    {
        await using var world = await World.StartAsync();
        world.Environment["FIRSTNAME"] = world.Environment["LASTNAME"] = null;
        world.WriteDotEnv("FIRSTNAME=Zoë\r\nLASTNAME=Ødegård\r\n", Encoding.Unicode);

        var run = (await world.RunAsync()).ShouldExitWith(0);

        Assert.StartsWith("Contact 37765128902 created: Zoë Ødegård <zoe.odegard@example.com>", run.Stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnclosedQuoteIsOneProblemWithoutALineNumber()
    {
        await using var world = await World.StartAsync();
        world.WithoutVariables().WriteDotEnv("FIRSTNAME=\"Ada\nLASTNAME=Lovelace\nHUBSPOT_KEY=pat-na1-secret\n");

        var run = (await world.RunAsync()).ShouldExitWith(2);

        Assert.Equal($"""
            Nothing was sent to HubSpot. Correct the configuration:
            - '{Path.Combine(world.Directory, ".env")}' could not be parsed: close every quote, and put a value with an apostrophe in double quotes, e.g. LASTNAME="O'Brien".

            """.ReplaceLineEndings("\n"), run.Stderr);
    }

    [Fact]
    public async Task ADryRunNeedsNoTokenSaysWhenItIsThePlaceholderAndSendsNothing()
    {
        await using var world = await World.StartAsync();
        world.WithoutVariables();
        File.Copy(Path.Combine(World.Root, ".env.example"), Path.Combine(world.Directory, ".env"));

        var run = (await world.RunAsync(["--dry-run"])).ShouldExitWith(0);
        world.WriteDotEnv("FIRSTNAME=Ada\nLASTNAME=Lovelace\n");
        var noToken = (await world.RunAsync(["--dry-run"])).ShouldExitWith(0);

        Assert.StartsWith("Dry run: nothing is sent. A run sends these to api.hubapi.com, 200 ms apart:", run.Stdout,
            StringComparison.Ordinal);
        Assert.Contains("""
               POST /crm/objects/2026-09/companies
               {"properties":{"name":"Coding Challenge Company GmbH","domain":"coding-challenge-company.com"},"associations":[{"to":{"id":"{contactId}"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}]}]}
            """.ReplaceLineEndings("\n"), run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("HUBSPOT_KEY is still the placeholder from .env.example: a real run would refuse it.\n", run.Stdout,
            StringComparison.Ordinal);
        Assert.Equal(7, run.Stdout.Split('\n').Count(l => l.StartsWith("   GET ", StringComparison.Ordinal)
            || l.StartsWith("   POST ", StringComparison.Ordinal) || l.StartsWith("   PUT ", StringComparison.Ordinal)));
        Assert.DoesNotContain("placeholder", noToken.Stdout, StringComparison.Ordinal);
        Assert.Empty(world.HubSpot.Requests);
    }

    [Fact]
    public async Task HelpPrintsTheUsageAndAnUnknownArgumentIsNeverEchoed()
    {
        await using var world = await World.StartAsync();

        var help = (await world.RunAsync(["--help"])).ShouldExitWith(0);
        var unknown = (await world.RunAsync([FakeHubSpotServer.Token])).ShouldExitWith(2);

        Assert.StartsWith("Creates a HubSpot contact", help.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("Unknown argument.\n" + help.Stdout, unknown.Stderr, StringComparison.Ordinal);
        Assert.Empty(world.HubSpot.Requests);
    }
}
