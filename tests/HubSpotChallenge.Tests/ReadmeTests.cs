using System.Diagnostics;
using System.Text.RegularExpressions;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The README's Quick start and its bad day, done as written: the fake run as a process with the README's
/// arguments, the app run with its settings, and the output compared with the README's blocks.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public async Task TheQuickStartRunsAsTheReadmeShows()
    {
        var blocks = Blocks("## Quick start");
        Assert.Equal(["sh", "text", "sh", "text"], blocks.Select(b => b.Language));

        await using var fake = await FakeProcess.StartAsync(blocks[0].Text);
        var run = await RunTerminalTwoAsync(fake, blocks[2].Text);

        Assert.Equal(blocks[1].Text, fake.ReadyLine.Replace(fake.Url, "http://127.0.0.1:5123", StringComparison.Ordinal) + "\n");
        Assert.Equal(blocks[3].Text, run.Stdout.ReplaceLineEndings("\n").Replace(fake.Authority, "127.0.0.1:5123", StringComparison.Ordinal));
        Assert.Contains("The fake keeps its records only while it runs", await fake.StopAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBadDayRunsAsTheReadmeShows()
    {
        var blocks = Blocks("## A bad day on demand");
        Assert.Equal(["sh", "text"], blocks.Select(b => b.Language));

        await using var fake = await FakeProcess.StartAsync(blocks[0].Text);
        var run = await RunTerminalTwoAsync(fake, Blocks("## Quick start")[2].Text);

        Assert.Equal(blocks[1].Text, run.Stdout.ReplaceLineEndings("\n").Replace(fake.Authority, "127.0.0.1:5123", StringComparison.Ordinal));
    }

    /// <summary>Terminal 2 as the README writes it: .env copied from the example, the exported variables, dotnet run.</summary>
    static async Task<AppResult> RunTerminalTwoAsync(FakeProcess fake, string commands)
    {
        await using var scenario = await Scenario.StartAsync();
        Assert.Contains("cp .env.example .env", commands, StringComparison.Ordinal);
        File.Copy(Path.Combine(Scenario.RepositoryRoot(), ".env.example"), Path.Combine(scenario.Directory, ".env"));
        foreach (var name in new[] { "HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "HUBSPOT_BASE_URL" })
        {
            scenario.Environment[name] = null;
        }

        foreach (Match variable in Exported().Matches(commands))
        {
            scenario.Environment[variable.Groups[1].Value] = variable.Groups[2].Value.Replace("http://127.0.0.1:5123", fake.Url, StringComparison.Ordinal);
        }

        Assert.EndsWith("dotnet run\n", commands, StringComparison.Ordinal);
        return (await scenario.RunAsync()).ShouldExitWith(0);
    }

    /// <summary>The fenced blocks of a README section, with their language.</summary>
    static List<(string Language, string Text)> Blocks(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(Scenario.RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"The README has no section {heading}.");
        var end = readme.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        return [.. Fenced().Matches(section).Select(m => (m.Groups[1].Value, m.Groups[2].Value))];
    }

    [GeneratedRegex("```(\\w+)\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fenced();

    [GeneratedRegex("(?:export |\\s)([A-Z_]+)=(\\S+)")]
    private static partial Regex Exported();

    /// <summary>The fake HubSpot as its own process, started with the README's arguments on a free port.</summary>
    sealed class FakeProcess : IAsyncDisposable
    {
        readonly Process _process;
        readonly Task<string> _rest;

        FakeProcess(Process process, string readyLine)
        {
            _process = process;
            ReadyLine = readyLine;
            Url = readyLine.Split(' ')[^1];
            _rest = process.StandardOutput.ReadToEndAsync();
        }

        public string ReadyLine { get; }

        public string Url { get; }

        public string Authority => new Uri(Url).Authority;

        public static async Task<FakeProcess> StartAsync(string command)
        {
            const string Run = "dotnet run --project tests/FakeHubSpot";
            Assert.StartsWith(Run, command, StringComparison.Ordinal);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FakeHubSpot.dll"));
            foreach (var argument in command[Run.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => a != "--"))
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add("--port");
            start.ArgumentList.Add("0");
            var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var readyLine = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? "";
            return new(process, readyLine);
        }

        /// <summary>Stops it as Ctrl+C would (SIGTERM here) and returns what it printed after its ready line.</summary>
        public async Task<string> StopAsync()
        {
            Posix.Send(_process.Id, Posix.SIGTERM);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
            return await _rest;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
