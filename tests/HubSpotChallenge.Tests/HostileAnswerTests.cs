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
    public static TheoryData<string> UnreadableSearchAnswers => new()
    {
        "{}",
        """{"total":0,"results":null}""",
        """{"total":1,"results":[null]}""",
        """{"total":1,"results":[{"properties":{"domain":"coding-challenge-company.com"},"createdAt":"2026-01-01T00:00:00Z"}]}""",
        """{"total":1,"results":[{"id":"","properties":{"domain":"coding-challenge-company.com"}}]}""",
        """{"total":1,"results":[{"id":"7","properties":{"name":"Coding Challenge Company GmbH"}}]}""",
    };

    [Theory]
    [MemberData(nameof(UnreadableSearchAnswers))]
    public async Task AnUnreadableSearchAnswerIsNotNoCompanyAndCreatesNone(string body)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.SearchCompanies, Fault.Respond(200, body, ("Content-Type", "application/json")));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "without what the program needs");
        Assert.Contains("HUBSPOT_BASE_URL", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Route.CreateCompany, Expect.Routes(scenario));
        Assert.Empty(scenario.HubSpot.Companies);
    }

    public static TheoryData<string> ContactIdsThatAreNotThere => new() { "missing", "null", "empty" };

    [Theory]
    [MemberData(nameof(ContactIdsThatAreNotThere))]
    public async Task ACreatedContactWithoutAnIdStopsBeforeTheCompany(string how)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Reshaped(answer =>
        {
            switch (how)
            {
                case "missing":
                    answer.Remove("id");
                    break;
                case "null":
                    answer["id"] = null;
                    break;
                default:
                    answer["id"] = "";
                    break;
            }

            return answer;
        }));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 201 while creating the contact, but without what the program needs");
        Assert.Equal([Route.CreateContact], Expect.Routes(scenario));
        Assert.DoesNotContain("Contact  created", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACharsetThatDoesNotExistIsReadAsUtf8()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["FIRSTNAME"] = "Zoë";
        var bogus = Fault.Reshaped(answer => answer) with { Headers = new Dictionary<string, string> { ["Content-Type"] = "application/json; charset=nope" } };
        scenario.HubSpot.Inject(Route.CreateContact, bogus);
        scenario.HubSpot.Inject(Route.SearchCompanies, bogus);

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Contains("Zoë Lovelace", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(418)]
    public async Task AnHtmlPageInsteadOfHubSpotsJsonPointsAtTheBaseUrl(int status)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Respond(status,
            "<html><body><h1>Not here</h1></body></html>", ("Content-Type", "text/html; charset=utf-8")));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, $"answered {status} with text/html, not HubSpot's JSON, while creating the contact. Check HUBSPOT_BASE_URL");
        Assert.DoesNotContain("(no message)", run.Stderr, StringComparison.Ordinal);
        Assert.Single(scenario.HubSpot.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnAnswerLargerThanOneMegabyteIsRefused(bool announceLength)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Oversized(100L * 1024 * 1024, announceLength));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "with more than 1 MB while creating the contact");
        Assert.DoesNotContain(Route.SearchCompanies, Expect.Routes(scenario));
    }

    [Fact]
    public async Task ARedirectIsReportedAndNotFollowed()
    {
        await using var scenario = await Scenario.StartAsync();
        await using var elsewhere = await FakeHubSpotServer.StartAsync();
        var target = new Uri(elsewhere.BaseUrl, "/crm/objects/2026-09/contacts?steal=1");
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Respond(307, "", ("Location", target.ToString())));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, $"answered 307 while creating the contact, redirecting to {target.GetLeftPart(UriPartial.Path)}");
        Assert.Contains("HUBSPOT_BASE_URL", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("steal", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
        Assert.Single(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task AHostNameThatDoesNotExistIsNotRetried()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_BASE_URL"] = "https://hubspot-challenge.invalid";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "the host name hubspot-challenge.invalid does not exist. Check HUBSPOT_BASE_URL");
        Assert.DoesNotContain("trying again", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https", "the TLS handshake failed")]
    [InlineData("http", "the answer was not HTTP")]
    public async Task AServerThatDoesNotSpeakTheProtocolIsTriedOnce(string scheme, string reason)
    {
        await using var scenario = await Scenario.StartAsync();
        await using var impostor = RawServer.Start("HELLO THERE\r\n\r\n");
        scenario.Environment["HUBSPOT_BASE_URL"] = $"{scheme}://127.0.0.1:{impostor.Port}";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, reason);
        Assert.Equal(1, impostor.Connections);
        Assert.DoesNotContain("trying again", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("..", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControlCharactersInHubSpotsMessageAreShownEscaped()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Respond(400, new JsonObject
        {
            ["status"] = "error",
            ["message"] = "Bad \u001b[2Jvalue\nsecond line",
            ["correlationId"] = "c0ffee00-0000-4000-8000-000000000400",
            ["category"] = "VALIDATION_ERROR",
        }.ToJsonString()));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "Bad \\u001B[2Jvalue\\u000Asecond line");
        Assert.DoesNotContain('\u001b', run.Output);
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
