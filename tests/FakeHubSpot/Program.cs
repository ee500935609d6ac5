using System.Globalization;
using FakeHubSpot;

// Serves the fake on a loopback port, so that the app can be tried without a HubSpot account:
//   dotnet run --project tests/FakeHubSpot -- [--port 5123] [--fault NAME] [--token TOKEN] [--search-lag SECONDS] [--quiet]
// Port 0 picks a free port; the first line names it. Each request is printed: method, path, status. Ctrl+C stops it.
string? Option(string name) => args.SkipWhile(arg => arg != name).Skip(1).FirstOrDefault();
var token = Option("--token") ?? FakeHubSpotServer.DefaultToken;
if (token.Contains('\'', StringComparison.Ordinal))
{
    // The lines below quote it for the shells in apostrophes.
    Console.Error.WriteLine("A token for the fake cannot contain an apostrophe.");
    return 2;
}

var searchLag = Option("--search-lag") is { } lag ? TimeSpan.FromSeconds(double.Parse(lag, CultureInfo.InvariantCulture)) : FakeHubSpotServer.DefaultSearchLag;
var faultName = Option("--fault");
if (faultName is not null && !Fault.Presets.ContainsKey(faultName))
{
    Console.Error.WriteLine($"Unknown fault '{faultName}'. The fake knows: {string.Join(", ", Fault.Presets.Keys)}.");
    return 2;
}

await using var server = await FakeHubSpotServer.StartAsync(int.Parse(Option("--port") ?? "5123", CultureInfo.InvariantCulture), token, control: true);
server.SearchLag = searchLag;
if (!args.Contains("--quiet"))
{
    server.Answered += r => Console.WriteLine($"{r.ArrivedAt:HH:mm:ss.fff} {r.Method} {r.PathBase}{r.Path}{r.Query} {(r.Status == 0 ? "(no answer)" : r.Status)}");
}

var url = server.BaseUrl.ToString().TrimEnd('/');
Console.WriteLine($"""
    Fake HubSpot listening on {url}
    For the app, in bash or zsh: export HUBSPOT_BASE_URL={url} HUBSPOT_KEY='{token}'
    For the app, in PowerShell: $env:HUBSPOT_BASE_URL = '{url}'; $env:HUBSPOT_KEY = '{token}'
    It keeps its records only while it runs. Its search lags writes by {searchLag.TotalSeconds:0.#} s, as HubSpot's does. Ctrl+C stops it.
    """);
if (faultName is not null)
{
    var (route, fault, what) = Fault.Presets[faultName];
    server.Inject(route, fault);
    Console.WriteLine($"A bad day: {what}.");
}

await server.WaitForShutdownAsync();
Console.WriteLine($"Stopped. The fake keeps its records only while it runs: its {server.Contacts.Count} contact(s), " +
    $"{server.Companies.Count} company(ies) and {server.Associations.Count} association(s) are gone.");
return 0;
