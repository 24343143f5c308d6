// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";

/**
 * @notice Audit finding: the contract took deposits up to 2^240 − 1 while the channel core holds at most 2^128 − 1 of a
 * token in the whole channel (its ops carry u128 amounts; `credit` caps the channel-wide supply). A record above
 * u128 cannot even be attested (the op does not encode), so every later deposit record, of any token, was never
 * credited (depositCount is a prefix), and the app's deposit sync threw before it attested forced records and
 * bonds. A record the core can attest but not credit (the supply would pass u128) was counted and credited nothing,
 * and lies below the checkpoint's depositCount, so `refundDeposit` refuses it: one participant depositing
 * 2^128 − 1 of a token made every later honest deposit of it vanish for good. Now a deposit that would take the
 * channel's holdings of the token above 2^128 − 1 reverts (while Open nothing is paid out, so the core's supply
 * never exceeds the holdings). Each test failed before and passes now.
 */
contract ChannelSettlementDepositCapTest is ChannelFixture {
    bytes32 internal id;
    uint256 internal constant U128_MAX = type(uint128).max;

    function setUp() public override {
        super.setUp();
        id = _open(3, 2);
    }

    function _try(uint256 who, uint256 amount) internal returns (bool ok) {
        token.mint(wallets[who], amount);
        vm.prank(wallets[who]);
        token.approve(address(settlement), amount);
        vm.prank(wallets[who]);
        try settlement.deposit(id, address(token), amount) {
            ok = true;
        } catch (bytes memory err) {
            vm.assertEq(
                // forge-lint: disable-next-line(unsafe-typecast)
                uint256(uint32(bytes4(err))),
                uint256(uint32(IChannelSettlement.ChannelSettlementAmountTooLarge.selector)),
                "AmountTooLarge"
            );
        }
    }

    function test_RevertWhen_ADepositExceedsWhatTheCoreCanAttest() public {
        vm.assertFalse(_try(0, U128_MAX + 1), "a record above u128 is refused");
        vm.assertEq(settlement.depositCount(id), 0, "no record");
    }

    function test_RevertWhen_TheChannelsHoldingsWouldPassU128_NotLostLater() public {
        vm.assertTrue(_try(0, U128_MAX - 5), "up to the core's cap");
        vm.assertFalse(_try(1, 6), "an honest deposit past the cap reverts (it would be credited nothing, never refunded)");
        vm.assertTrue(_try(1, 5), "exactly to the cap");
        vm.assertEq(settlement.holdings(id, address(token)), U128_MAX, "holdings at the cap");
        vm.assertEq(settlement.depositCount(id), 2, "two records");
    }

    function testFuzz_HoldingsNeverPassU128(uint256 a, uint256 b) public {
        a = bound(a, 1, U128_MAX + 10);
        b = bound(b, 1, U128_MAX + 10);
        bool okA = _try(0, a);
        bool okB = _try(1, b);
        vm.assertEq(okA, a <= U128_MAX, "first");
        vm.assertEq(okB, (okA ? a : 0) + b <= U128_MAX, "second");
        vm.assertLe(settlement.holdings(id, address(token)), U128_MAX, "holdings within u128");
    }
}
