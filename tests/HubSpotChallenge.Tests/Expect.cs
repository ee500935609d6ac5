using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;
using Xunit.Sdk;

namespace HubSpotChallenge.Tests;

/// <summary>What the end-to-end tests check again and again: the converged portal, the failure shape, JSON bodies.</summary>
static class Expect
{
    public const string CompanyName = "Coding Challenge Company GmbH";
    public const string Domain = "coding-challenge-company.com";

    public static List<Route?> Routes(Scenario scenario) => [.. scenario.HubSpot.Requests.Select(r => r.Route)];

    /// <summary>One contact, one company with our domain, and the two associated.</summary>
    public static void Converged(Scenario scenario)
    {
        var hub = scenario.HubSpot;
        var contact = Assert.Single(hub.Contacts);
        var company = Assert.Single(hub.Companies, c => c["domain"] == Domain);
        Assert.Contains((contact.Id, company.Id), hub.Associations);
    }

    /// <summary>The README's promise for a failure: one line naming cause and fix, then what exists; no stack trace.</summary>
    public static void OneClearFailure(AppResult run, string expected)
    {
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 2, $"Expected two lines on stderr.{Environment.NewLine}{run}");
        Assert.True(lines[0].Contains(expected, StringComparison.Ordinal), $"Expected \"{expected}\" in the first line.{Environment.NewLine}{run}");
        Assert.StartsWith("So far: ", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        // Only the last boundary names an exception (its type, for an unforeseen failure); no expected failure does.
        Assert.True(expected.Contains("Exception", StringComparison.Ordinal) || !run.Output.Contains("Exception", StringComparison.Ordinal), $"An exception is named.{Environment.NewLine}{run}");
    }

    /// <summary>The golden output of a first run against a fresh fake: the ids are the fake's first. With LF line
    /// endings, whatever the checkout's (a Windows clone has CRLF).</summary>
    public static string FreshRunOutput(Scenario scenario) => $"""
        Contact 37765128902 created: Ada Lovelace <ada.lovelace@example.com>
        Company 20185735002 created: Coding Challenge Company GmbH (coding-challenge-company.com)
        Contact 37765128902 associated with company 20185735002.
        Done: 4 requests to {scenario.HubSpot.BaseUrl.Authority}.

        """.ReplaceLineEndings("\n");

    /// <summary>The golden output of the run after that one.</summary>
    public static string RerunOutput(Scenario scenario) => $"""
        Contact 37765128902 already existed: Ada Lovelace <ada.lovelace@example.com>
        Company 20185735002 already existed: Coding Challenge Company GmbH (coding-challenge-company.com)
        Contact 37765128902 associated with company 20185735002.
        Done: 4 requests to {scenario.HubSpot.BaseUrl.Authority}.

        """.ReplaceLineEndings("\n");

    public static void Json(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {expected}{Environment.NewLine}got {actual?.ToJsonString()}");
}
