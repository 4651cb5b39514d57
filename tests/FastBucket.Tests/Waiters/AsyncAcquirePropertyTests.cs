using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FastBucket.Tests.Waiters;

/// <summary>The laws of waiting acquires, over random sizes, clock advances, cancellations and timeouts (see <see cref="WaitScenario"/>).</summary>
public sealed class AsyncAcquirePropertyTests
{
    [Property(MaxTest = 300)]
    public Property AcquireAsync_RandomScript_IsFifoWorkConservingNeverBargedAndConservesTokensAgainstTheExactModel() =>
        Prop.ForAll(WaitScenario.Arbitrary, scenario => scenario.Check() is not { } broken ? true.ToProperty() : false.Label(broken));

    [Property(MaxTest = 100)]
    public Property AcquireAsync_RandomCancellationsAndTimeouts_KeepNothingAndAtQuiescenceTheLevelEqualsTheModels() =>
        Prop.ForAll(
            WaitScenario.Arbitrary.Filter(s => s.Steps.Any(step => step is CancelStep) && s.Steps.Any(step => step is EnqueueStep { Kind: WaitKind.Timed })),
            scenario =>
            {
                // Every plain wait made cancelable, so that the cancel steps have the most waits to hit.
                var cancelable = scenario with
                {
                    Steps = scenario.Steps
                        .Select(step => step is EnqueueStep { Kind: WaitKind.Plain } e ? e with { Kind = WaitKind.Cancelable } : step)
                        .ToArray(),
                };
                return cancelable.Check() is not { } broken ? true.ToProperty() : false.Label(broken);
            });

    [Property(MaxTest = 100)]
    public Property AcquireAsync_WithWaitersQueued_NeverGrantsMoreThanCapacityPlusRateTimesElapsed() =>
        Prop.ForAll(
            WaitScenario.Arbitrary.Filter(s => s.Steps.Count(step => step is EnqueueStep) >= 2),
            scenario =>
            {
                // Initial level full: the tightest start for the window law.
                var full = scenario with { Initial = scenario.Capacity };
                return full.Check() is not { } broken ? true.ToProperty() : false.Label(broken);
            });

    [Property(MaxTest = 100)]
    public Property AcquireAsync_OnlyPlainWaitsAndAdvances_CompletionOrderIsArrivalOrder() =>
        Prop.ForAll(
            WaitScenario.Arbitrary.Filter(s => s.Steps.Any(step => step is EnqueueStep)),
            scenario =>
            {
                // The same script with every wait made plain and every cancel dropped: pure FIFO with clock steps.
                var plain = scenario with
                {
                    Steps = scenario.Steps
                        .Where(step => step is not CancelStep)
                        .Select(step => step is EnqueueStep e ? e with { Kind = WaitKind.Plain, TimeoutTicks = 0 } : step)
                        .ToArray(),
                };
                return plain.Check() is not { } broken ? true.ToProperty() : false.Label(broken);
            });
}
