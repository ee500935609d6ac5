using System.Diagnostics;
using System.Text.RegularExpressions;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The README's Quick start and its bad day, done as written: the fake run as a process with the README's
/// arguments, terminal 2's block pasted into a real shell (sh, or pwsh), and the output compared with the README's.
/// Only <c>dotnet run</c> is stood in for, by a shell function that runs the built app.</summary>
public sealed partial class ReadmeTests
{
    const string PowerShellOptIn = "HUBSPOT_CHALLENGE_POWERSHELL_TEST";

    [Fact]
    public async Task TheQuickStartRunsAsTheReadmeShows()
    {
        Posix.Require("/bin/sh");
        var blocks = Blocks("## Quick start");
        Assert.Equal(["sh", "text", "sh", "powershell", "text"], blocks.Select(b => b.Language));

        await using var fake = await FakeProcess.StartAsync(blocks[0].Text);
        var run = (await RunTerminalTwoAsync(fake, "sh", blocks[2].Text)).ShouldExitWith(0);

        Assert.Equal(blocks[1].Text, fake.ReadyLine.Replace(fake.Url, "http://127.0.0.1:5123", StringComparison.Ordinal) + "\n");
        Assert.Equal(blocks[4].Text, run.Stdout.ReplaceLineEndings("\n").Replace(fake.Authority, "127.0.0.1:5123", StringComparison.Ordinal));
        Assert.Contains(fake.ForTheApp("bash or zsh"), blocks[2].Text, StringComparison.Ordinal);
        Assert.Contains("The fake keeps its records only while it runs", await fake.StopAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheQuickStartRunsAsTheReadmeShowsInPowerShell()
    {
        var pwsh = PowerShell();
        var blocks = Blocks("## Quick start");

        await using var fake = await FakeProcess.StartAsync(blocks[0].Text);
        var run = (await RunTerminalTwoAsync(fake, pwsh, blocks[3].Text)).ShouldExitWith(0);

        Assert.Equal(blocks[4].Text, run.Stdout.ReplaceLineEndings("\n").Replace(fake.Authority, "127.0.0.1:5123", StringComparison.Ordinal));
        Assert.Contains(fake.ForTheApp("PowerShell"), blocks[3].Text, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task TheBashBlockPastedIntoPowerShellStopsAtThePlaceholderAndSendsNothing()
    {
        var pwsh = PowerShell();
        var blocks = Blocks("## Quick start");

        await using var fake = await FakeProcess.StartAsync(blocks[0].Text);
        var run = (await RunTerminalTwoAsync(fake, pwsh, blocks[2].Text)).ShouldExitWith(2);

        // PowerShell has no export, so the example's placeholder token is all the app gets.
        Assert.Contains("'export'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(" is still the placeholder from .env.example: put your service key or private app token there.", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, fake.RequestsSeen());
    }

    [Fact]
    public async Task TheBadDayRunsAsTheReadmeShows()
    {
        Posix.Require("/bin/sh");
        var blocks = Blocks("## A bad day on demand");
        Assert.Equal(["sh", "text"], blocks.Select(b => b.Language));

        await using var fake = await FakeProcess.StartAsync(blocks[0].Text);
        var run = (await RunTerminalTwoAsync(fake, "sh", Blocks("## Quick start")[2].Text)).ShouldExitWith(0);

        Assert.Equal(blocks[1].Text, run.Stdout.ReplaceLineEndings("\n").Replace(fake.Authority, "127.0.0.1:5123", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryPowerShellBlockOfTheReadmeRunsInPwshWithoutAnError()
    {
        var pwsh = PowerShell();
        var blocks = AllBlocks().Where(b => b.Language == "powershell").ToList();
        Assert.True(blocks.Count >= 3, "The README has fewer PowerShell blocks than expected.");
        await using var scenario = await Scenario.StartAsync();
        File.Copy(Path.Combine(Scenario.RepositoryRoot(), ".env.example"), Path.Combine(scenario.Directory, ".env.example"));
        // Each block on its own, stopping at its first error; dotnet only says what it was given.
        var script = "function dotnet { \"dotnet $args\" }\n" + string.Concat(blocks.Select((b, i) =>
            $"$env:HUBSPOT_BASE_URL = 'x'; $env:HUBSPOT_KEY = 'x'\ntry {{ & {{ $ErrorActionPreference = 'Stop'\n{b.Text}}} }} catch {{ \"Block {i} failed: $_\" }}\n"));
        scenario.App = [pwsh, "-NoProfile", "-NonInteractive", "-Command", script];

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.DoesNotContain("failed:", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
        Assert.True(File.Exists(Path.Combine(scenario.Directory, ".env")), "Copy-Item did not copy .env.example.");
    }

    /// <summary>Terminal 2 as the README writes it, pasted into <paramref name="shell"/> in a folder holding
    /// .env.example; <c>dotnet run</c> runs the built app.</summary>
    static async Task<AppResult> RunTerminalTwoAsync(FakeProcess fake, string shell, string commands)
    {
        Assert.EndsWith("dotnet run\n", commands, StringComparison.Ordinal);
        var scenario = await Scenario.StartAsync();
        await using var _ = scenario;
        File.Copy(Path.Combine(Scenario.RepositoryRoot(), ".env.example"), Path.Combine(scenario.Directory, ".env.example"));
        foreach (var name in new[] { "HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "HUBSPOT_BASE_URL" })
        {
            scenario.Environment[name] = null;
        }

        var pasted = commands.Replace("127.0.0.1:5123", fake.Authority, StringComparison.Ordinal);
        var dll = Path.Combine(AppContext.BaseDirectory, "HubSpotChallenge.dll");
        scenario.App = shell == "sh"
            ? ["/bin/sh", "-c", $"dotnet() {{ command dotnet '{dll}'; }}\n{pasted}"]
            : [shell, "-NoProfile", "-NonInteractive", "-Command",
               $"function dotnet {{ & (Get-Command dotnet -CommandType Application)[0] '{dll}' }}\n{pasted}exit $LASTEXITCODE\n"];
        return await scenario.RunAsync();
    }

    /// <summary>pwsh, when the PowerShell tests are turned on; turned on without pwsh, the test fails.</summary>
    static string PowerShell()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(PowerShellOptIn) == "1",
            $"The PowerShell tests are opt-in: {PowerShellOptIn}=1 runs them, with pwsh on the PATH.");
        var names = OperatingSystem.IsWindows() ? new[] { "pwsh.exe" } : ["pwsh"];
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .SelectMany(dir => names.Select(name => Path.Combine(dir, name))).FirstOrDefault(File.Exists);
        Assert.True(found is not null, "pwsh is not on the PATH: dotnet tool install --tool-path DIR PowerShell --version 7.6.9, and add DIR to the PATH.");
        return found;
    }

    /// <summary>The fenced blocks of a README section, with their language.</summary>
    static List<(string Language, string Text)> Blocks(string heading)
    {
        var readme = Readme();
        var start = readme.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"The README has no section {heading}.");
        var end = readme.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return Fenced(readme[start..(end < 0 ? readme.Length : end)]);
    }

    static List<(string Language, string Text)> AllBlocks() => Fenced(Readme());

    static string Readme() => File.ReadAllText(Path.Combine(Scenario.RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");

    /// <summary>Fenced blocks, indented ones (in a list) included, without their indentation.</summary>
    static List<(string Language, string Text)> Fenced(string text) =>
        [.. Fence().Matches(text).Select(m => (m.Groups[2].Value,
            Regex.Replace(m.Groups[3].Value, $"^{m.Groups[1].Value}", "", RegexOptions.Multiline)))];

    [GeneratedRegex("^( *)```(\\w+)\\n(.*?)^ *```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Fence();

    /// <summary>The fake HubSpot as its own process, started with the README's arguments on a free port.</summary>
    sealed partial class FakeProcess : IAsyncDisposable
    {
        readonly Process _process;
        readonly List<string> _lines = [];
        readonly Task _rest;

        FakeProcess(Process process, List<string> banner)
        {
            _process = process;
            ReadyLine = banner[0];
            _lines.AddRange(banner);
            Url = ReadyLine.Split(' ')[^1];
            _rest = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    lock (_lines)
                    {
                        _lines.Add(line);
                    }
                }
            });
        }

        public string ReadyLine { get; }

        public string Url { get; }

        public string Authority => new Uri(Url).Authority;

        /// <summary>What the fake's "For the app" line tells <paramref name="shell"/> to type, on the README's port.</summary>
        public string ForTheApp(string shell)
        {
            var prefix = $"For the app, in {shell}: ";
            string line;
            lock (_lines)
            {
                line = _lines.Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
            }

            return line[prefix.Length..].Replace(Url, "http://127.0.0.1:5123", StringComparison.Ordinal);
        }

        /// <summary>How many requests the fake has printed so far.</summary>
        public int RequestsSeen()
        {
            lock (_lines)
            {
                return _lines.Count(l => RequestLine().IsMatch(l));
            }
        }

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
            List<string> banner = [];
            // Its banner: the ready line, what to type for the app, its lag.
            while (banner.Count < 4 && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                banner.Add(line);
            }

            return new(process, banner);
        }

        /// <summary>Stops it as Ctrl+C would (SIGTERM here) and returns what it printed after its banner.</summary>
        public async Task<string> StopAsync()
        {
            Posix.Send(_process.Id, Posix.SIGTERM);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
            await _rest;
            lock (_lines)
            {
                return string.Join('\n', _lines.Skip(4));
            }
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

        [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} [A-Z]+ /")]
        private static partial Regex RequestLine();
    }
}
