using FakeHubSpot;

// The fake alone, to try the app without an account: dotnet run --project tests/FakeHubSpot -- [--port N] [--fault NAME]
string? Option(string name) => args.SkipWhile(arg => arg != name).Skip(1).FirstOrDefault();

var faultName = Option("--fault");
if (faultName is not null && !Fault.Presets.ContainsKey(faultName))
{
    Console.Error.WriteLine($"Unknown fault '{faultName}'. The fake knows: {string.Join(", ", Fault.Presets.Keys)}.");
    return 2;
}

if (!int.TryParse(Option("--port") ?? "5123", out var port) || port is < 0 or > 65535)
{
    Console.Error.WriteLine("--port takes a number from 0 to 65535 (0: any free port).");
    return 2;
}

FakeHubSpotServer server;
try
{
    server = await FakeHubSpotServer.StartAsync(port);
}
catch (IOException)
{
    Console.Error.WriteLine($"Port {port} is taken, perhaps by a fake still running: stop it, or add --port {port + 1}.");
    return 1;
}

await using var _ = server;
server.Log = Console.WriteLine;
var url = server.BaseUrl.ToString().TrimEnd('/');
var token = FakeHubSpotServer.Token;
Console.WriteLine($"""
    Fake HubSpot listening on {url}
    For the app, in bash or zsh: export HUBSPOT_BASE_URL={url} HUBSPOT_KEY='{token}'
    For the app, in PowerShell: $env:HUBSPOT_BASE_URL = '{url}'; $env:HUBSPOT_KEY = '{token}'
    It keeps its records only while it runs. Its search lags writes by {FakeHubSpotServer.SearchLag.TotalSeconds} s, as HubSpot's does. Ctrl+C stops it.
    """);
if (faultName is not null)
{
    var (route, fault) = Fault.Presets[faultName];
    server.Inject(route, fault);
    Console.WriteLine($"A bad day: {faultName} meets the next request of its kind.");
}

await server.WaitForShutdownAsync();
return 0;
