using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;
using Xunit.Sdk;

namespace HubSpotChallenge.Tests;

/// <summary>What one run of the app did: exit code and both streams.</summary>
public sealed record AppResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public string Output => Stdout + Stderr;

    /// <summary>Fails with both streams in the message, so a red test explains itself.</summary>
    public AppResult ShouldExitWith(int expected)
    {
        if (ExitCode != expected)
        {
            throw new XunitException($"Expected exit code {expected}, got {ExitCode}.{Environment.NewLine}{this}");
        }

        return this;
    }

    public override string ToString() =>
        $"--- stdout ---{Environment.NewLine}{Stdout}--- stderr ---{Environment.NewLine}{Stderr}--- ({Elapsed.TotalMilliseconds:0} ms)";
}
