using System.Globalization;
using FakeHubSpot;

// Serves the fake on a chosen loopback port so a person can try the app without a HubSpot account:
//   dotnet run --project tests/FakeHubSpot -- [--port 5123] [--token TOKEN] [--quiet]
// Port 0 picks a free port; the first line printed names it.
var port = 5123;
var token = FakeHubSpotServer.DefaultToken;
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
        default:
            await Console.Error.WriteLineAsync($"Unknown argument '{args[i]}'. Usage: FakeHubSpot [--port N] [--token TOKEN] [--quiet]");
            return 2;
    }
}

await using var server = await FakeHubSpotServer.StartAsync(port, token, control: true);
Console.WriteLine($"Fake HubSpot listening on {server.BaseUrl}");
Console.WriteLine("In .env (or the environment) for the app:");
Console.WriteLine($"  HUBSPOT_BASE_URL={server.BaseUrl.ToString().TrimEnd('/')}");
Console.WriteLine($"  HUBSPOT_KEY={token}");
Console.WriteLine("POST /_fake/reset forgets everything; GET /_fake/stats counts requests and records.");
Console.WriteLine("Every request is printed below. Press Ctrl+C to stop.");

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};

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
