using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Windows;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas.Windows;

public sealed class ShapeLearningWindowTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 15, 12, 0, 0, TimeSpan.Zero));

    private ShapeLearningWindow Window(long limit) =>
        Assert.IsType<ShapeLearningWindow>(QuotaWindowing.For(LlmProvider.Groq).CreateWindow(QuotaDimension.TokensPerMinute, limit, _time, 0));

    [Fact]
    public void TryTake_BeforeLearning_SafeShapesTenSecondBurst()
    {
        using var window = Window(6_000);
        Assert.False(window.IsBucket);
        Assert.Equal(975, window.TakeAll(25)); // a sixth of the minute, less the 250 ms margin's 25
    }

    [Fact]
    public void BecomeBucket_AfterABurst_StartsFromTheLogsRoomAndRefillsContinuously()
    {
        using var window = Window(6_000);
        window.TakeAll(25); // 975 used in the safe shape

        window.BecomeBucket();

        Assert.True(window.IsBucket);
        Assert.Equal(5_025, window.Available);
        Assert.Equal(5_025, window.TakeAll(25));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(100, window.TakeAll(25)); // 6,000 per minute: 100 a second
    }

    [Fact]
    public void Adjust_ChargeTakenBeforeTheSwitch_RefundsTheBucket()
    {
        using var window = Window(6_000);
        Assert.True(window.TryTake(800, out long ticket));
        window.BecomeBucket();
        Assert.Equal(5_200, window.Available);

        window.Adjust(ticket, -500); // the request used less than reserved

        Assert.Equal(5_700, window.Available);
    }

    [Fact]
    public void ReturnToSafeShape_AfterLearning_CountsWhatTheBucketUsedAndShrinksTheBurst()
    {
        using var window = Window(6_000);
        window.BecomeBucket();
        Assert.Equal(6_000, window.TakeAll(1_000)); // the whole limit at once, as a bucket admits

        Assert.True(window.ReturnToSafeShape());

        Assert.False(window.IsBucket);
        Assert.Equal(0, window.Room);
        Assert.Equal(TimeSpan.FromSeconds(5), window.SafeShape.Log.Shape.BurstPeriod); // halved from 10 s
        Assert.False(window.ReturnToSafeShape());
    }

    [Fact]
    public void Adjust_BucketTicketAfterReturningToTheLog_Ignored()
    {
        using var window = Window(6_000);
        window.BecomeBucket();
        Assert.True(window.TryTake(1_000, out long ticket));
        Assert.Equal(LlmQuota.NoTicket, ticket);
        window.ReturnToSafeShape();
        long room = window.Room;

        window.Adjust(ticket, -1_000);

        Assert.Equal(room, window.Room); // the log never held it: nothing of the log's is given back
    }

    [Fact]
    public void SetLimit_AfterLearning_ChangesTheBucketAndTheLogAlike()
    {
        using var window = Window(6_000);
        window.BecomeBucket();
        window.SetLimit(3_000);
        Assert.Equal(3_000, window.Limit);
        window.ReturnToSafeShape();
        Assert.Equal(3_000, window.Limit);
    }
}
