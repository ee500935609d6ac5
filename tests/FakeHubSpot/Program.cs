using System.Globalization;
using System.Runtime.InteropServices;
using FakeHubSpot;

// Serves the fake on a chosen loopback port so a person can try the app without a HubSpot account:
//   dotnet run --project tests/FakeHubSpot -- [--port 5123] [--token TOKEN] [--search-lag SECONDS] [--quiet]
// Port 0 picks a free port; the first line printed names it.
var port = 5123;
var token = FakeHubSpotServer.DefaultToken;
var searchLag = FakeHubSpotServer.DefaultSearchLag;
var quiet = args.Contains("--quiet");
args = [.. args.Where(a => a != "--quiet")];
for (var i = 0; i < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length:
            port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--token" when i + 1 < args.Length:
            token = args[i + 1];
            break;
        case "--search-lag" when i + 1 < args.Length:
            searchLag = TimeSpan.FromSeconds(double.Parse(args[i + 1], CultureInfo.InvariantCulture));
            break;
        default:
            await Console.Error.WriteLineAsync($"Unknown argument '{args[i]}'. Usage: FakeHubSpot [--port N] [--token TOKEN] [--search-lag SECONDS] [--quiet]");
            return 2;
    }
}

await using var server = await FakeHubSpotServer.StartAsync(port, token, control: true);
server.SearchLag = searchLag;
Console.WriteLine($"Fake HubSpot listening on {server.BaseUrl}");
Console.WriteLine("In .env (or the environment) for the app:");
Console.WriteLine($"  HUBSPOT_BASE_URL={server.BaseUrl.ToString().TrimEnd('/')}");
Console.WriteLine($"  HUBSPOT_KEY={token}");
Console.WriteLine($"Search lags writes by {searchLag.TotalSeconds:0.#} s, as HubSpot's index does (--search-lag to change).");
Console.WriteLine("POST /_fake/reset forgets everything; GET /_fake/stats counts requests and records.");
Console.WriteLine("Every request is printed below. Press Ctrl+C to stop.");

// Ctrl+C, SIGTERM (a script's kill) and SIGHUP all stop the fake cleanly.
var stop = new TaskCompletionSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

var shown = 0;
while (!stop.Task.IsCompleted)
{
    await Task.WhenAny(stop.Task, Task.Delay(100));
    var requests = server.Requests;
    shown = Math.Min(shown, requests.Count);
    for (; !quiet && shown < requests.Count; shown++)
    {
        var r = requests[shown];
        Console.WriteLine($"{r.ArrivedAt:HH:mm:ss.fff} {r.Method} {r.Path}{r.Query}");
    }
}

Console.WriteLine($"Stored {server.Contacts.Count} contact(s), {server.Companies.Count} company(ies), {server.Associations.Count} association(s).");
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}
