using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Text from HubSpot, or from a gateway in front of it, that quotes the token: it never reaches the screen.</summary>
public sealed class TokenEchoTests
{
    [Theory]
    [InlineData(400, "VALIDATION_ERROR")]
    [InlineData(403, "FORBIDDEN")]
    public async Task ATokenQuotedInAnErrorMessageIsPrintedAsHidden(int status, string category)
    {
        await using var scenario = await Scenario.StartAsync();
        var token = scenario.HubSpot.Token;
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.Respond(status,
            $$"""{"status":"error","message":"Gateway refused the header Authorization: Bearer {{token}}","correlationId":"c0ffee00-0000-0000-0000-000000000001","category":"{{category}}"}"""));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "Gateway refused the header Authorization: Bearer (hidden).");
    }

    [Fact]
    public async Task ATokenQuotedInAnAssociationErrorIsPrintedAsHidden()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.AssociateDefault, Fault.AssociationStatus("CANCELED", error: $"Not allowed for {scenario.HubSpot.Token}"));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "(CANCELED: Not allowed for (hidden)). Run again");
    }

    [Fact]
    public async Task ATokenInALongBaseUrlIsHiddenBeforeTheUrlIsShortened()
    {
        await using var scenario = await Scenario.StartAsync();
        var token = scenario.HubSpot.Token;
        scenario.Environment["HUBSPOT_BASE_URL"] = $"ftp://gateway.example/{new string('x', 20)}/{token}/hubspot";

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Contains($"HUBSPOT_BASE_URL 'ftp://gateway.example/{new string('x', 20)}/(hidden)", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(token[..12], run.Output, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Theory]
    [InlineData("in the environment")]
    [InlineData("in a .env that cannot be parsed")]
    public async Task AnArgumentIsNeverEchoedSoATokenGivenAsOneIsNotPrinted(string where)
    {
        await using var scenario = await Scenario.StartAsync();
        var token = scenario.HubSpot.Token;
        if (where == "in a .env that cannot be parsed")
        {
            scenario.Environment["HUBSPOT_KEY"] = null;
            scenario.WriteDotEnv($"HUBSPOT_KEY={token}\nLASTNAME=\"O'Brien\n");
        }

        var run = (await scenario.RunAsync(token)).ShouldExitWith(2);

        Assert.StartsWith("Unknown argument.", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(token[..12], run.Output, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }
}
