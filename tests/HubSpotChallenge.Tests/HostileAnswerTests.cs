using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>
/// Answers no careful server should send, and some a proxy or a wrong host does: each ends with one clear line, exit 1,
/// no stack trace, and nothing created on the strength of an answer the program could not read.
/// </summary>
public sealed class HostileAnswerTests
{
    // The rules for every shape are AnswerRules' tables; here, one answer the serializer refuses and one the search step does.
    [Theory]
    [InlineData("{}")]
    [InlineData("""{"total":1,"results":[{"id":"7","properties":{"name":"Coding Challenge Company GmbH"}}]}""")]
    public async Task AnUnreadableSearchAnswerIsNotNoCompanyAndCreatesNone(string body)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.SearchCompanies, Fault.Respond(200, body, ("Content-Type", "application/json")));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 200 while searching for the company without what the program needs");
        Assert.Contains("HUBSPOT_BASE_URL", run.Stderr, StringComparison.Ordinal);
        Assert.Equal([Route.CreateContact, Route.SearchCompanies], Expect.Routes(scenario));
        Assert.Empty(scenario.HubSpot.Companies);
    }

    [Fact]
    public async Task ACreatedContactWithoutAnIdStopsBeforeTheCompany()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Reshaped(answer =>
        {
            answer.Remove("id");
            return answer;
        }));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 201 while creating the contact without what the program needs (application/json, nothing usable at $)");
        Assert.Equal([Route.CreateContact], Expect.Routes(scenario));
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task AnAnswerIsReadAsUtf8WhateverCharsetItClaims()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Respond(400,
            """{"status":"error","message":"Zoë Ødegård: refusé","correlationId":"c-400","category":"VALIDATION_ERROR"}""",
            ("Content-Type", "application/json; charset=nope")));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 400 VALIDATION_ERROR while creating the contact: Zoë Ødegård: refusé. Correct what it names");
    }

    [Fact]
    public async Task AnHtmlPageInsteadOfHubSpotsJsonPointsAtTheBaseUrl()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Respond(418,
            "<html><body><h1>Not here</h1></body></html>", ("Content-Type", "text/html; charset=utf-8")));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run,
            "HubSpot answered 418 while creating the contact: (a text/html page). That is not HubSpot's JSON: check HUBSPOT_BASE_URL");
        Assert.Single(scenario.HubSpot.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnAnswerLargerThanOneMegabyteIsRefused(bool announceLength)
    {
        await using var scenario = await Scenario.StartAsync();
        var body = $$"""{"id":"1","padding":"{{new string('x', 2_000_000)}}"}""";
        scenario.HubSpot.Inject(Route.CreateContact, announceLength ? Fault.Respond(200, body, ("Content-Length", $"{body.Length}")) : Fault.Respond(200, body));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        // What follows the colon is .NET's own words; the program's are around them.
        Expect.OneClearFailure(run, $"No usable answer from HubSpot at {scenario.HubSpot.BaseUrl.Authority} while creating the contact: ");
        Assert.Contains(". Check HUBSPOT_BASE_URL and your connection.", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Route.SearchCompanies, Expect.Routes(scenario));
    }

    [Fact]
    public async Task ARedirectIsReportedAndNotFollowed()
    {
        await using var scenario = await Scenario.StartAsync();
        await using var elsewhere = await FakeHubSpotServer.StartAsync();
        var target = new Uri(elsewhere.BaseUrl, $"/{scenario.HubSpot.Token}/crm/objects/2026-09/contacts?steal=1");
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Respond(307, "", ("Location", target.ToString())));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 307 while creating the contact: (no message). HubSpot's API never redirects: check HUBSPOT_BASE_URL.");
        Assert.DoesNotContain("steal", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(elsewhere.BaseUrl.Authority, run.Output, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
        Assert.Single(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task AHostNameThatDoesNotExistIsNotRetried()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_BASE_URL"] = "https://hubspot-challenge.invalid";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        // The reason is the resolver's (glibc's words differ with and without DNS): the program's words are around it.
        Expect.OneClearFailure(run, "No usable answer from HubSpot at hubspot-challenge.invalid while creating the contact: ");
        Assert.Contains(". Check HUBSPOT_BASE_URL and your connection.", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("trying again", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https")]
    [InlineData("http")]
    public async Task AServerThatDoesNotSpeakTheProtocolIsTriedOnce(string scheme)
    {
        await using var scenario = await Scenario.StartAsync();
        await using var impostor = RawServer.Start("HELLO THERE\r\n\r\n");
        scenario.Environment["HUBSPOT_BASE_URL"] = $"{scheme}://127.0.0.1:{impostor.Port}";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, $"No usable answer from HubSpot at 127.0.0.1:{impostor.Port} while creating the contact: ");
        Assert.Equal(1, impostor.Connections);
        Assert.DoesNotContain("trying again", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("..", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("companies as a list")]
    [InlineData("companies as null")]
    [InlineData("a batch read without properties")]
    public async Task AnAnswerOfTheWrongShapeIsAFailureAndNoSecondCompanyIsCreated(string shape)
    {
        await using var scenario = await Scenario.StartAsync();
        var contact = scenario.HubSpot.SeedContact("ada.lovelace@example.com", "Ada", "Lovelace");
        // Search has not caught up: only the contact's companies show this one.
        var company = scenario.HubSpot.SeedCompany("Coding Challenge Company GmbH", Expect.Domain, DateTimeOffset.UtcNow, indexed: false);
        scenario.HubSpot.SeedAssociation(contact.Id, company.Id);
        if (shape == "a batch read without properties")
        {
            scenario.HubSpot.Inject(Route.ReadCompanies, Fault.Reshaped(answer =>
            {
                answer["results"]!.AsArray().ToList().ForEach(result => result!.AsObject().Remove("properties"));
                return answer;
            }));
        }
        else
        {
            var companies = shape == "companies as null" ? "null" : $$"""[{"id":"{{company.Id}}","type":"contact_to_company"}]""";
            scenario.HubSpot.Inject(Route.ReadContact, Fault.Reshaped(answer =>
            {
                answer["associations"] = JsonNode.Parse($$"""{"companies":{{companies}}}""");
                return answer;
            }));
        }

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 200 while reading the contact's companies without what the program needs (");
        Assert.Single(scenario.HubSpot.Companies);
        Assert.DoesNotContain(Route.CreateCompany, Expect.Routes(scenario));
    }

    [Theory]
    [InlineData("\u2028")]
    public async Task ALineBreakInHubSpotsMessageCannotForgeAnOutputLine(string lineBreak)
    {
        await using var scenario = await Scenario.StartAsync();
        var forged = $"Bad name.{System.Text.RegularExpressions.Regex.Unescape(lineBreak)}Done: 4 requests to api.hubapi.com.";
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.Respond(400,
            $$"""{"status":"error","message":{{JsonValue.Create(forged).ToJsonString()}},"correlationId":"c-400","category":"VALIDATION_ERROR"}"""));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        var code = (int)forged[9];
        Expect.OneClearFailure(run, $"Bad name.\\u{code:X4}Done: 4 requests to api.hubapi.com.");
        Assert.DoesNotContain(forged[9], run.Output.Replace("\n", "", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("12/../../associations")]
    public async Task AnIdThatIsNotDecimalDigitsStopsTheRunBeforeItSteersAPath(string id)
    {
        await using var scenario = await Scenario.StartAsync();
        var unescaped = System.Text.RegularExpressions.Regex.Unescape(id);
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Reshaped(answer =>
        {
            answer["id"] = unescaped;
            return answer;
        }));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 201 while creating the contact without what the program needs (application/json, nothing usable at $.id)");
        Assert.Equal("", run.Stdout);
        Assert.Equal([Route.CreateContact], Expect.Routes(scenario));
    }

    [Theory]
    [InlineData("""{"total":1,"results":[{"id":"7","createdAt":"2024-01-01T00:00:00Z","properties":{"domain":"coding-challenge-company.com","domain":"x.example"}}]}""")]
    public async Task AnAnswerWithADuplicateNameIsUnusableAndCreatesNothing(string body)
    {
        await using var scenario = await Scenario.StartAsync();
        var hit = """{"id":"7","createdAt":"2024-01-01T00:00:00Z","properties":{"domain":"coding-challenge-company.com"}}""";
        scenario.HubSpot.Inject(Route.SearchCompanies, Fault.Respond(200, body.Replace("HIT", hit, StringComparison.Ordinal)));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 200 while searching for the company without what the program needs (application/json, nothing usable at $.results");
        Assert.DoesNotContain(Route.CreateCompany, Expect.Routes(scenario));
    }

    /// <summary>A TCP server that answers every connection with fixed bytes and counts the connections.</summary>
    sealed class RawServer : IAsyncDisposable
    {
        readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        readonly CancellationTokenSource _stop = new();
        readonly Task _loop;
        int _connections;

        RawServer(string answer)
        {
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                var bytes = Encoding.ASCII.GetBytes(answer);
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    var stream = client.GetStream();
                    await stream.WriteAsync(bytes, _stop.Token);
                    await Task.Delay(200, _stop.Token);
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public static RawServer Start(string answer) => new(answer);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            _stop.Dispose();
        }
    }
}
