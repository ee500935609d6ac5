using System.Diagnostics;
using System.Text.RegularExpressions;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The README's Quick start and its bad day, done as written: the fake started with the README's arguments,
/// terminal 2's block pasted into a real shell, and the output compared with the README's. Only <c>dotnet run</c> is
/// stood in for, by the built app.</summary>
public sealed partial class ReadmeTests
{
    const string PowerShellOptIn = "HUBSPOT_CHALLENGE_POWERSHELL_TEST";

    [Fact]
    public async Task TheQuickStartPrintsWhatTheReadmeShows()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Pastes the bash block into /bin/sh.");
        var blocks = Blocks("## Quick start");
        Assert.Equal(["sh", "text", "sh", "powershell", "text"], blocks.Select(b => b.Language));
        await using var fake = await FakeProcess.StartAsync(blocks[0].Text);

        var run = (await PasteAsync(fake, "sh", blocks[2].Text)).ShouldExitWith(0);

        var ready = fake.Banner[0].Replace(fake.Url, "http://127.0.0.1:5123", StringComparison.Ordinal);
        Assert.Equal(blocks[1].Text, $"{ready}\n");
        Assert.Contains(fake.ForTheApp("bash or zsh"), blocks[2].Text, StringComparison.Ordinal);
        Assert.Equal(blocks[4].Text, fake.Readme(run.Stdout));
    }

    [Fact]
    public async Task TheQuickStartPrintsWhatTheReadmeShowsInPowerShell()
    {
        var pwsh = PowerShell();
        var blocks = Blocks("## Quick start");
        await using var fake = await FakeProcess.StartAsync(blocks[0].Text);

        var run = (await PasteAsync(fake, pwsh, blocks[3].Text)).ShouldExitWith(0);

        Assert.Contains(fake.ForTheApp("PowerShell"), blocks[3].Text, StringComparison.Ordinal);
        Assert.Equal(blocks[4].Text, fake.Readme(run.Stdout));
    }

    [Fact]
    public async Task TheBashBlockPastedIntoPowerShellStopsAtThePlaceholderAndSendsNothing()
    {
        var pwsh = PowerShell();
        var blocks = Blocks("## Quick start");
        await using var fake = await FakeProcess.StartAsync(blocks[0].Text);

        var run = (await PasteAsync(fake, pwsh, blocks[2].Text)).ShouldExitWith(2);

        Assert.Contains("HUBSPOT_KEY is still the placeholder from .env.example", run.Stderr, StringComparison.Ordinal);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Equal(4, fake.Lines.Count);
    }

    [Fact]
    public async Task EveryPowerShellBlockOfTheReadmeRunsInPwshWithoutAnError()
    {
        var pwsh = PowerShell();
        var blocks = Blocks("").Where(b => b.Language == "powershell").ToList();
        await using var world = await World.StartAsync();
        File.Copy(Path.Combine(World.Root, ".env.example"), Path.Combine(world.Directory, ".env.example"));
        // Each block on its own, stopping at its first error; dotnet only says what it was given.
        world.App = [pwsh, "-NoProfile", "-NonInteractive", "-Command", "function dotnet { \"dotnet $args\" }\n" +
            string.Concat(blocks.Select(b => $"try {{ & {{ $ErrorActionPreference = 'Stop'\n{b.Text}}} }} catch {{ \"Failed: $_\" }}\n"))];

        var run = (await world.RunAsync()).ShouldExitWith(0);

        Assert.True(blocks.Count >= 2, "The README has fewer PowerShell blocks than expected.");
        Assert.DoesNotContain("Failed:", run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(world.Directory, ".env")), "Copy-Item did not copy .env.example.");
    }

    /// <summary>Terminal 2's block pasted into <paramref name="shell"/>, in a folder with .env.example.</summary>
    internal static async Task<AppRun> PasteAsync(FakeProcess fake, string shell, string block)
    {
        Assert.EndsWith("dotnet run\n", block, StringComparison.Ordinal);
        await using var world = (await World.StartAsync()).WithoutVariables();
        File.Copy(Path.Combine(World.Root, ".env.example"), Path.Combine(world.Directory, ".env.example"));
        var pasted = block.Replace("http://127.0.0.1:5123", fake.Url, StringComparison.Ordinal);
        var dll = world.App[1];
        world.App = shell == "sh"
            ? ["/bin/sh", "-c", $"dotnet() {{ command dotnet '{dll}'; }}\n{pasted}"]
            : [shell, "-NoProfile", "-NonInteractive", "-Command",
               $"function dotnet {{ & (Get-Command dotnet -CommandType Application)[0] '{dll}' }}\n{pasted}exit $LASTEXITCODE\n"];
        return await world.RunAsync();
    }

    /// <summary>pwsh, when the PowerShell tests are turned on; turned on without pwsh, the test fails.</summary>
    static string PowerShell()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(PowerShellOptIn) == "1",
            $"The PowerShell tests are opt-in: {PowerShellOptIn}=1 runs them, with pwsh on the PATH.");
        var name = OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh";
        var found = $"{Environment.GetEnvironmentVariable("PATH")}".Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
        return found ?? throw new InvalidOperationException("pwsh is not on the PATH (see tests/README.md).");
    }

    /// <summary>The fenced blocks of a README section (all of it for ""), with their language, unindented.</summary>
    internal static List<(string Language, string Text)> Blocks(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(World.Root, "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf(heading + "\n", StringComparison.Ordinal);
        var end = heading == "" ? -1 : readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        return [.. Fence().Matches(section).Select(m => (m.Groups[2].Value,
            Regex.Replace(m.Groups[3].Value, $"^{m.Groups[1].Value}", "", RegexOptions.Multiline)))];
    }

    [GeneratedRegex("^( *)```(\\w+)\\n(.*?)^ *```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Fence();

    /// <summary>The fake HubSpot as its own process, with the README's arguments, on a free port.</summary>
    internal sealed class FakeProcess(Process process, List<string> banner) : IAsyncDisposable
    {
        public List<string> Banner => banner;

        public string Url { get; } = banner[0].Split(' ')[^1];

        /// <summary>What it printed, its banner included.</summary>
        public List<string> Lines { get; } = [.. banner];

        /// <summary>The app's output as the README shows it: with the README's port.</summary>
        public string Readme(string stdout) =>
            stdout.Replace(new Uri(Url).Authority, "127.0.0.1:5123", StringComparison.Ordinal);

        /// <summary>What its "For the app" line tells <paramref name="shell"/> to type, on the README's port.</summary>
        public string ForTheApp(string shell)
        {
            var prefix = $"For the app, in {shell}: ";
            var line = banner.Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
            return line[prefix.Length..].Replace(Url, "http://127.0.0.1:5123", StringComparison.Ordinal);
        }

        public static async Task<FakeProcess> StartAsync(string command)
        {
            const string Run = "dotnet run --project tests/FakeHubSpot";
            Assert.StartsWith(Run, command, StringComparison.Ordinal);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FakeHubSpot.dll"));
            var arguments = command[Run.Length..].Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            foreach (var argument in arguments.Where(a => a != "--"))
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add("--port");
            start.ArgumentList.Add("0");
            var process = Process.Start(start)!;
            List<string> banner = [];
            while (banner.Count < 4)
            {
                banner.Add(await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) ?? "");
            }

            var fake = new FakeProcess(process, banner);
            _ = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    fake.Lines.Add(line);
                }
            });
            return fake;
        }

        public async ValueTask DisposeAsync()
        {
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}

/// <summary>The README's bad day, done as written; a class of its own, so it runs beside the Quick start.</summary>
public sealed class ReadmeBadDayTests
{
    [Fact]
    public async Task TheBadDayPrintsWhatTheReadmeShows()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Pastes the bash block into /bin/sh.");
        var blocks = ReadmeTests.Blocks("## A bad day on demand");
        Assert.Equal(["sh", "text"], blocks.Select(b => b.Language));
        await using var fake = await ReadmeTests.FakeProcess.StartAsync(blocks[0].Text);

        var terminalTwo = ReadmeTests.Blocks("## Quick start")[2].Text;
        var run = (await ReadmeTests.PasteAsync(fake, "sh", terminalTwo)).ShouldExitWith(0);

        Assert.Equal(blocks[1].Text, fake.Readme(run.Stdout));
    }
}
