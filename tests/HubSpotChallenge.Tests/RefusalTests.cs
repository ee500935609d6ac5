using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>What HubSpot refuses is not retried: the run ends with one clear line naming the fix.</summary>
public sealed class RefusalTests
{
    [Fact]
    public async Task AWrongTokenIsNotRetriedAndPointsAtHubSpotKey()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = "pat-na1-this-token-is-fake-and-wrong";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 401 INVALID_AUTHENTICATION while creating the contact: Authentication credentials not found. Check HUBSPOT_KEY");
        Assert.Contains("(correlation id ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(scenario.HubSpot.Requests);
        Assert.Empty(scenario.HubSpot.Contacts);
    }

    [Fact]
    public async Task AMissingScopeIsNamedAndWhatExistsIsReported()
    {
        await using var scenario = await Scenario.StartAsync();
        // HubSpot's answer to a token without crm.objects.companies.read.
        scenario.HubSpot.Inject(Route.SearchCompanies, Fault.Respond(403, """
            {"status":"error","message":"This app hasn't been granted all required scopes to make this call.","correlationId":"c-403",
             "errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["crm.objects.companies.read"]}}],
             "category":"MISSING_SCOPES"}
            """));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 403 MISSING_SCOPES while searching for the company: This app hasn't been granted all required scopes to make this call. Grant the token crm.objects.contacts.read, crm.objects.contacts.write, crm.objects.companies.read and crm.objects.companies.write, then run again.");
        Assert.Equal([Route.CreateContact, Route.SearchCompanies], Expect.Routes(scenario));
        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Contains($"So far: contact {contact.Id} created, no company yet. Running again is safe", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Companies);
    }

    [Fact]
    public async Task ABadRequestShowsHubSpotsMessageEscapedWithItsCorrelationId()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.Respond(400,
            """{"status":"error","message":"Property values were not valid: Company names must end in AG\u001b[2J","correlationId":"c0ffee00-aaaa-bbbb-cccc-ddddeeeeffff","category":"VALIDATION_ERROR"}"""));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run,
            "HubSpot answered 400 VALIDATION_ERROR while creating the company: Property values were not valid: Company names must end in AG\\u001B[2J. Correct what it names");
        Assert.Contains("(correlation id c0ffee00-aaaa-bbbb-cccc-ddddeeeeffff)", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', run.Output);
        Assert.Empty(scenario.HubSpot.Companies);
    }
}
